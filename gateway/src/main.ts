import { ConfigError, loadConfig } from './config'
import { startGateway } from './gateway'
import { log } from './obs/logger'

// Entry: config → gateway → listen; SIGTERM/SIGINT drain (toys get 1012) and exit within 10 s.

let config: ReturnType<typeof loadConfig>
try {
	config = loadConfig()
} catch (err) {
	if (err instanceof ConfigError) {
		console.error(err.message)
		process.exit(78) // EX_CONFIG
	}
	throw err
}

log.level = config.logLevel
// ! Files this process creates (the embedded database above all) are for its own user only.
process.umask(0o077)
const gateway = await startGateway(config, log).catch((err) => {
	log.fatal({ err }, 'gateway failed to start')
	process.exit(1)
})

let stopping = false
async function shutdown(signal: string): Promise<void> {
	if (stopping) return
	stopping = true
	log.info({ signal }, 'draining')
	// ! Hard deadline: an orchestrator kills us at ~10 s anyway; exit on our own terms first.
	setTimeout(() => process.exit(1), config.shutdownGraceMs + 1500).unref()
	await gateway.stop()
	log.info('stopped')
	process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
