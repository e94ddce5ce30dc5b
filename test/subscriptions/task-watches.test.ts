/**
 * The poller registry against a scripted source and a fake clock: which events each
 * subscriber gets, how many provider calls a task costs, and when polling stops.
 */
import type { ImageTaskModel, TaskState } from '../../src/parsing/models.js';
import { ProviderError, type ProviderErrorKind } from '../../src/providers/errors.js';
import type { TaskSource } from '../../src/sources/task-source.js';
import { createTaskWatches, type TaskWatchOptions } from '../../src/subscriptions/task-watches.js';
import type { TaskEvent } from '../../src/subscriptions/subscriber.js';
import { FakeClock, flushPromises } from '../support/fake-clock.js';

interface FakeTask {
  readonly state: TaskState;
  readonly terminal: boolean;
  readonly progress: number;
  readonly requestId: string;
}

type Answer = FakeTask | ProviderErrorKind;

const task = (state: TaskState, progress = 0): FakeTask => ({
  state,
  terminal: ['SUCCEEDED', 'FAILED', 'PARTIALLY_SUCCEEDED', 'STOPPED'].includes(state),
  progress,
  // Differs on every answer, as the provider's does: it must not count as a change.
  requestId: `req-${Math.random()}`,
});

/** Answers in order; the last one repeats. */
function scriptedSource(answers: Answer[]): { source: TaskSource<ImageTaskModel>; calls: () => number } {
  let calls = 0;
  const source: TaskSource<ImageTaskModel> = async () => {
    const answer = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    if (typeof answer === 'string')
      throw new ProviderError({ provider: 'tencent-mps', kind: answer, message: `tencent-mps ${answer}` });
    return { ...answer, requestId: `req-${calls}` } as unknown as ImageTaskModel;
  };
  return { source, calls: () => calls };
}

const OPTIONS: TaskWatchOptions = {
  intervals: { runningMs: 1_000, waitingMs: 5_000 },
  maxDurationMs: 3_600_000,
  maxWatchedTasks: 10,
};

function setup(answers: Answer[], options: Partial<TaskWatchOptions> = {}) {
  const clock = new FakeClock();
  const { source, calls } = scriptedSource(answers);
  const polls: string[] = [];
  const watches = createTaskWatches(
    { imageTask: source, workflowTask: async () => Promise.reject(new Error('unused')) },
    { ...OPTIONS, ...options },
    { clock, events: { onPoll: (_provider, outcome) => polls.push(outcome) } },
  );
  return { clock, calls, polls, watches };
}

/** Collects what a subscriber receives, as a consumer that keeps up would. */
function collect(iterator: AsyncIterableIterator<TaskEvent<ImageTaskModel>>) {
  const seen: string[] = [];
  let done = false;
  void (async () => {
    for await (const event of iterator) {
      seen.push(
        event.kind === 'task'
          ? `${event.task.state}:${(event.task as unknown as FakeTask).progress}`
          : `error:${String(event.error.extensions.code)}`,
      );
    }
    done = true;
  })();
  return { seen, isDone: () => done };
}

describe('task watches (poller registry)', () => {
  it('sends the current state first, then only changes, and completes after the terminal state', async () => {
    const { clock, calls, polls, watches } = setup([
      task('PENDING'),
      task('PENDING'),
      task('RUNNING', 10),
      task('RUNNING', 10),
      task('RUNNING', 60),
      task('SUCCEEDED', 100),
    ]);
    const events = collect(watches.imageTask('t1'));
    await flushPromises();
    expect(events.seen).toEqual(['PENDING:0']);
    await clock.advance(5_000); // waiting interval: unchanged
    expect(events.seen).toEqual(['PENDING:0']);
    await clock.advance(5_000); // now running
    expect(events.seen).toEqual(['PENDING:0', 'RUNNING:10']);
    await clock.advance(1_000); // running interval: unchanged
    await clock.advance(1_000);
    await clock.advance(1_000);
    expect(events.seen).toEqual(['PENDING:0', 'RUNNING:10', 'RUNNING:60', 'SUCCEEDED:100']);
    expect(events.isDone()).toBe(true);
    expect(calls()).toBe(6);
    expect(polls).toEqual(['changed', 'unchanged', 'changed', 'unchanged', 'changed', 'changed']);
    expect(clock.pending).toBe(0);
    expect(watches.counts('tencent-mps')).toEqual({ pollers: 0, subscribers: 0 });
  });

  it('polls once per interval for 20 subscribers of one task, and gives a late subscriber the last state', async () => {
    const { clock, calls, watches } = setup([task('RUNNING', 10), task('RUNNING', 20), task('RUNNING', 30)]);
    const early = Array.from({ length: 19 }, () => collect(watches.imageTask('t1')));
    await flushPromises();
    expect(calls()).toBe(1);
    const late = collect(watches.imageTask('t1'));
    await flushPromises();
    expect(late.seen).toEqual(['RUNNING:10']);
    expect(calls()).toBe(1);
    await clock.advance(1_000);
    await clock.advance(1_000);
    expect(calls()).toBe(3);
    for (const each of [...early, late]) expect(each.seen).toEqual(['RUNNING:10', 'RUNNING:20', 'RUNNING:30']);
    expect(watches.counts('tencent-mps')).toEqual({ pollers: 1, subscribers: 20 });
  });

  it('does not replay the last state to a late subscriber once a signed URL in it has expired', async () => {
    const clock = new FakeClock();
    const withUrl = (answer: FakeTask, expiresAt: number) => ({ ...answer, signedUrlsExpireAt: expiresAt });
    const { source } = scriptedSource([
      withUrl(task('RUNNING', 10), clock.now() + 500),
      withUrl(task('RUNNING', 20), clock.now() + 60_000),
    ]);
    const expiring = createTaskWatches(
      { imageTask: source, workflowTask: async () => Promise.reject(new Error('unused')) },
      OPTIONS,
      { clock },
    );
    const early = collect(expiring.imageTask('t1'));
    await flushPromises();
    expect(early.seen).toEqual(['RUNNING:10']);
    await clock.advance(600);
    const late = collect(expiring.imageTask('t1'));
    await flushPromises();
    expect(late.seen).toEqual([]);
    await clock.advance(400);
    expect(late.seen).toEqual(['RUNNING:20']);
    expect(early.seen).toEqual(['RUNNING:10', 'RUNNING:20']);
  });

  it('stops polling when the last subscriber leaves', async () => {
    const { clock, calls, watches } = setup([task('RUNNING', 10)]);
    const a = watches.imageTask('t1');
    const b = watches.imageTask('t1');
    await a.next();
    await b.next();
    await a.return!();
    await clock.advance(1_000);
    expect(calls()).toBe(2);
    await b.return!();
    expect(clock.pending).toBe(0);
    await clock.advance(10_000);
    expect(calls()).toBe(2);
    expect(watches.counts('tencent-mps')).toEqual({ pollers: 0, subscribers: 0 });
  });

  it('retries transient errors at the next interval without ending, and ends every subscriber on a lasting one', async () => {
    const { clock, polls, watches } = setup([
      task('RUNNING', 10),
      'RATE_LIMITED',
      'UPSTREAM_UNAVAILABLE',
      task('RUNNING', 40),
      'NOT_FOUND',
    ]);
    const one = collect(watches.imageTask('t1'));
    const two = collect(watches.imageTask('t1'));
    await flushPromises();
    await clock.advance(1_000);
    await clock.advance(1_000);
    expect(one.isDone()).toBe(false);
    await clock.advance(1_000);
    await clock.advance(1_000);
    for (const each of [one, two]) {
      expect(each.seen).toEqual(['RUNNING:10', 'RUNNING:40', 'error:NOT_FOUND']);
      expect(each.isDone()).toBe(true);
    }
    expect(polls).toEqual(['changed', 'transient_error', 'transient_error', 'changed', 'fatal_error']);
    expect(clock.pending).toBe(0);
  });

  it.each([
    ['AUTH_FAILED', 'UPSTREAM_AUTH_FAILED'],
    ['FORBIDDEN', 'FORBIDDEN'],
    ['NOT_FOUND', 'NOT_FOUND'],
  ] as const)('ends at once on %s with the code queries use (%s)', async (kind, code) => {
    const { clock, watches } = setup([kind]);
    const events = collect(watches.imageTask('t1'));
    await flushPromises();
    expect(events.seen).toEqual([`error:${code}`]);
    expect(events.isDone()).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('ends a subscription after the maximum duration with SUBSCRIPTION_EXPIRED, and the poller with its last subscriber', async () => {
    const { clock, calls, watches } = setup([task('PENDING')], { maxDurationMs: 12_000 });
    const events = collect(watches.imageTask('t1'));
    await clock.advance(12_000);
    expect(events.seen).toEqual(['PENDING:0', 'error:SUBSCRIPTION_EXPIRED']);
    expect(events.isDone()).toBe(true);
    const made = calls();
    await clock.advance(60_000);
    expect(calls()).toBe(made);
  });

  it('refuses a new task beyond the watched-task limit, but not another subscriber of a watched one', async () => {
    const { watches } = setup([task('RUNNING')], { maxWatchedTasks: 2 });
    watches.imageTask('t1');
    watches.imageTask('t2');
    expect(() => watches.imageTask('t3')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT' }) }),
    );
    expect(() => watches.imageTask('t1')).not.toThrow();
  });

  it('completes every subscription and stops every poller on close', async () => {
    const { clock, watches } = setup([task('RUNNING', 5)]);
    const one = collect(watches.imageTask('t1'));
    const two = collect(watches.imageTask('t2'));
    await flushPromises();
    watches.close();
    await flushPromises();
    expect([one.seen, two.seen]).toEqual([['RUNNING:5'], ['RUNNING:5']]);
    expect(one.isDone() && two.isDone()).toBe(true);
    expect(clock.pending).toBe(0);
    expect(() => watches.imageTask('t1')).toThrow();
  });

  it('keeps only the newest undelivered state for a consumer that does not keep up', async () => {
    const { clock, watches } = setup([
      task('RUNNING', 1),
      task('RUNNING', 2),
      task('RUNNING', 3),
      task('SUCCEEDED', 4),
    ]);
    const iterator = watches.imageTask('t1');
    await clock.advance(1_000);
    await clock.advance(1_000);
    await clock.advance(1_000);
    const states: number[] = [];
    for await (const event of iterator)
      if (event.kind === 'task') states.push((event.task as unknown as FakeTask).progress);
    expect(states).toEqual([4]);
  });
});
