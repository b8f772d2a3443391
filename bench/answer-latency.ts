// Answer-latency bench entry point: `bun bench/answer-latency.ts [--turns 1000] [--eos-turns 300]`.
// The gateway's loggers are created when their modules load, so the log level is set before the
// bench (lib/answer-latency-bench.ts) is imported: otherwise the store's start-up lines and the
// safety layer's notes would be mixed into the report.
process.env.LOG_LEVEL ??= 'error'
await import('./lib/answer-latency-bench')
export {}
