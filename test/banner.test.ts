import { startupBanner } from '../src/banner.js';
import { sampleTasks } from '../src/emulator/index.js';

describe('the start-up banner', () => {
  it('says what each sample shows and names the URLs that are served', () => {
    const text = startupBanner({
      url: 'http://localhost:4001/',
      emulated: ['Tencent MPS', 'Alibaba ICE'],
      samples: sampleTasks(),
      sandbox: true,
      dashboard: true,
    });
    expect(text).toContain('Sample ids to paste into Sandbox or the dashboard:');
    for (const sample of sampleTasks())
      expect(text).toMatch(new RegExp(`${sample.taskId} +${sample.outcome.replace(/[()]/g, '\\$&')}\n`));
    expect(text).toContain('ready at http://localhost:4001/ (open it in a browser for Apollo Sandbox)');
    expect(text).toContain('GraphQL    POST http://localhost:4001/graphql');
    expect(text).toContain('Dashboard  http://localhost:4001/dashboard');
  });

  it('names neither samples, Sandbox nor the dashboard where they are not served', () => {
    const text = startupBanner({
      url: 'http://localhost:4001/',
      emulated: [],
      samples: [],
      sandbox: false,
      dashboard: false,
    });
    expect(text).toBe(
      'media-task-subgraph ready at http://localhost:4001/\n  GraphQL    POST http://localhost:4001/graphql\n',
    );
  });
});

describe('the start-up banner with the built-in emulator', () => {
  const controls = 'http://127.0.0.1:39999/__emulator/';
  const text = startupBanner({
    url: 'http://localhost:4001/',
    emulated: ['Tencent MPS'],
    samples: sampleTasks(['image']),
    sandbox: true,
    dashboard: true,
    emulatorControls: controls,
  });

  it('says where the emulator controls are, the script and advance routes included', () => {
    expect(text).toContain(`Emulator   ${controls}`);
    expect(text).toContain(`POST ${controls}tasks/<taskId>/script`);
    expect(text).toContain(`POST ${controls}tasks/<taskId>/advance`);
  });

  it('says the dashboard works offline and Sandbox needs the internet', () => {
    expect(text).toMatch(/Dashboard .*works offline; Sandbox loads from Apollo's CDN and needs the internet/);
  });
});
