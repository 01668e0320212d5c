/**
 * A minimal per-request batch loader (the DataLoader idea without the dependency): every load()
 * made while one resolver wave runs is collected and answered by one call of `batch`.
 */
export interface BatchLoader<K, V> {
  load(key: K): Promise<V>;
}

export function createBatchLoader<K, V>(batch: (keys: K[]) => Promise<Map<K, V>>, maxBatchSize = 50): BatchLoader<K, V> {
  let queue: { key: K; resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];
  const cache = new Map<K, Promise<V>>();

  const dispatch = () => {
    const jobs = queue;
    queue = [];
    const keys = [...new Set(jobs.map((j) => j.key))];
    for (let i = 0; i < keys.length; i += maxBatchSize) {
      const chunk = keys.slice(i, i + maxBatchSize);
      batch(chunk).then(
        (values) => {
          for (const job of jobs) {
            if (!chunk.includes(job.key)) continue;
            if (values.has(job.key)) job.resolve(values.get(job.key) as V);
            else job.reject(new Error(`batch loader returned no value for a key`));
          }
        },
        (error: unknown) => {
          for (const job of jobs) if (chunk.includes(job.key)) job.reject(error);
        },
      );
    }
  };

  return {
    load(key) {
      const cached = cache.get(key);
      if (cached) return cached;
      const promise = new Promise<V>((resolve, reject) => {
        if (queue.length === 0) {
          // after the current promise jobs, like DataLoader: sibling resolvers enqueue first
          Promise.resolve().then(() => process.nextTick(dispatch));
        }
        queue.push({ key, resolve, reject });
      });
      cache.set(key, promise);
      return promise;
    },
  };
}
