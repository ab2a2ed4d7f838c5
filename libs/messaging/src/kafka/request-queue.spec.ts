import { kafkajsRequestQueue, stopIdleRequestQueueTimers } from './request-queue';

const ignore = () => undefined;
const silent = { debug: ignore, info: ignore, warn: ignore, error: ignore };

function queueOf(maxInFlightRequests: number) {
  const RequestQueue = kafkajsRequestQueue();
  return new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: '127.0.0.1:1',
    logger: silent,
  }) as unknown as {
    throttleCheckTimeoutId: unknown;
    pending: unknown[];
    push(request: object): void;
    fulfillRequest(response: object): void;
    maybeThrottle(ms: number): void;
    destroy(): void;
  };
}

/** A request as kafkajs's Connection hands it to the queue; `sent` records when it went out. */
function request(correlationId: number, sent: number[]) {
  return {
    entry: { correlationId, apiName: 'Produce', resolve: ignore, reject: ignore },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

const answer = (correlationId: number) => ({ correlationId, payload: null, size: 0 });

type Queue = ReturnType<typeof queueOf>;

/** A queue with `maxInFlightRequests`, the ids of what it sent, and its timers cleared after. */
async function withQueue(
  maxInFlightRequests: number,
  work: (queue: Queue, sent: number[]) => void | Promise<void>,
): Promise<void> {
  const queue = queueOf(maxInFlightRequests);
  try {
    await work(queue, []);
  } finally {
    queue.destroy();
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('kafkajs request queue without the idle timer', () => {
  beforeAll(() => stopIdleRequestQueueTimers());

  it('leaves no timer behind once every request is answered', () =>
    withQueue(1, (queue, sent) => {
      queue.push(request(1, sent));
      queue.fulfillRequest(answer(1));
      expect(sent).toEqual([1]);
      expect(queue.throttleCheckTimeoutId).toBeNull();
    }));

  it('still sends a request held back by the in-flight limit when the one before is answered', () =>
    withQueue(1, async (queue, sent) => {
      queue.push(request(1, sent));
      queue.push(request(2, sent));
      expect(sent).toEqual([1]);
      expect(queue.pending).toHaveLength(1);
      queue.fulfillRequest(answer(1));
      expect(sent).toEqual([1, 2]);
      queue.fulfillRequest(answer(2));
      // the check scheduled while request 2 waited runs once, then nothing is scheduled again
      await pause(40);
      expect(queue.throttleCheckTimeoutId).toBeNull();
    }));

  it('still sends a request held back by a broker throttle once the throttle ends', () =>
    withQueue(5, async (queue, sent) => {
      queue.maybeThrottle(40);
      queue.push(request(1, sent));
      expect(sent).toEqual([]);
      expect(queue.throttleCheckTimeoutId).not.toBeNull();
      await pause(120);
      expect(sent).toEqual([1]);
      queue.fulfillRequest(answer(1));
      expect(queue.throttleCheckTimeoutId).toBeNull();
    }));

  it('is put in place once, however often clients are configured', () => {
    const { prototype } = kafkajsRequestQueue();
    const installed = prototype.scheduleCheckPendingRequests;
    stopIdleRequestQueueTimers();
    expect(prototype.scheduleCheckPendingRequests).toBe(installed);
  });
});
