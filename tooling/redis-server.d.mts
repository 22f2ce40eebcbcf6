/** A redis-server started by a test (see redis-server.mjs). */
export interface TestRedis {
  /** `redis://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

export function startRedis(): Promise<TestRedis>;
