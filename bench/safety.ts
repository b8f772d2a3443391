// Safety bench entry point: `bun bench/safety.ts`. The gateway's modules log through one shared
// logger whose level main.ts sets from config; the bench quiets it the same way, or every parent
// alert the corpus raises would be printed.
import { log } from '../gateway/src/obs/logger'

log.level = 'error'
await import('./lib/safety-bench')
// ? The embedded database and the write backlog keep timers; the bench is done once it has written.
process.exit(0)
