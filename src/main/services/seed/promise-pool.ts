// Runs tasks with at most `concurrency` in flight. Stops scheduling new tasks
// after the first failure or an abort, waits for those in flight, then rejects.

export async function runPool<T>(
  items: Iterable<T>,
  concurrency: number,
  task: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be a positive integer');
  const it = items[Symbol.iterator]();
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    for (;;) {
      if (failure || signal?.aborted) return;
      const n = it.next();
      if (n.done) return;
      try {
        await task(n.value);
      } catch (err) {
        failure ??= { err };
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure) throw failure.err;
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}
