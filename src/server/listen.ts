/** Binds the listener on loopback or all interfaces and resolves with the URL actually bound. */
import type http from 'node:http';

export function listenOn(
  httpServer: http.Server,
  onListening: () => void,
): (port: number, host?: string) => Promise<string> {
  return (port, host) =>
    new Promise<string>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => {
        onListening();
        const address = httpServer.address();
        const boundPort = typeof address === 'object' && address ? address.port : port;
        resolve(`http://${host && host !== '0.0.0.0' && host !== '::' ? host : 'localhost'}:${boundPort}/`);
      });
    });
}
