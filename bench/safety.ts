// Safety bench entry point: `bun bench/safety.ts`. The gateway's loggers are created when their
// modules load, so the log level is set before the bench (lib/safety-bench.ts) is imported:
// otherwise every parent alert the corpus raises would be printed.
process.env.LOG_LEVEL ??= 'error'
await import('./lib/safety-bench')
export {}
