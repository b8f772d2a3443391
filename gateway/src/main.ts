import { ConfigError, loadConfig } from './config'
import { startGateway, VERSION } from './gateway'
import { startErrorTracking } from './obs/error-tracking'
import { createLogger, log as rootLog } from './obs/logger'
import { superviseProcesses } from './processes'

// Entry: config → gateway → listen; SIGTERM/SIGINT drain (answers in flight finish, then toys get
// 1012) and exit within SHUTDOWN_GRACE_MS. GATEWAY_PROCESSES=N starts N gateway processes on one
// port instead (processes.ts), so one machine uses all its cores.

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

rootLog.level = config.logLevel
// ! Files this process creates (the embedded database above all) are for its own user only.
process.umask(0o077)
const tracker = config.sentryDsn ? await startErrorTracking({ dsn: config.sentryDsn, environment: config.nodeEnv, release: VERSION }) : undefined
// ? With error tracking the gateway gets a logger whose error lines also go to the tracker.
const log = tracker ? createLogger(config.logLevel, (err, context) => tracker.report(err, context)) : rootLog
if (config.fleet.processes > 1 && config.fleet.workerIndex === undefined) {
	await superviseProcesses(config, log)
} else {
	const gateway = await startGateway(config, log).catch((err) => {
		log.fatal({ err }, 'gateway failed to start')
		process.exit(1)
	})

	let stopping = false
	async function shutdown(signal: string): Promise<void> {
		if (stopping) return
		stopping = true
		log.info({ signal }, 'draining')
		// ! Hard deadline: an orchestrator kills us at its grace period anyway; exit on our own terms first.
		setTimeout(() => process.exit(1), config.shutdownGraceMs + 1500).unref()
		await gateway.stop()
		await tracker?.flush(1000)
		log.info('stopped')
		process.exit(0)
	}
	process.on('SIGTERM', () => void shutdown('SIGTERM'))
	process.on('SIGINT', () => void shutdown('SIGINT'))
}
