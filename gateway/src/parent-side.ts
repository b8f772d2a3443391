import type { Redis } from 'ioredis'
import type postgres from 'postgres'
import { Elysia } from 'elysia'
import { auditPseudonymizer, deriveAuthKeys, emailIndexer } from './auth/auth-secret'
import { AccessTokens } from './auth/parent-tokens'
import { Passwords } from './auth/passwords'
import type { Provider } from './ai/provider'
import type { Codec } from './codec'
import type { Config } from './config'
import { type AccessGuard, accessGuard } from './modules/access'
import { accountsModule } from './modules/accounts'
import { AccountMail } from './modules/accounts/mails'
import { AccountsService } from './modules/accounts/service'
import { alertsModule } from './modules/alerts'
import { AlertsService } from './modules/alerts/service'
import { chatModule } from './modules/chat'
import { ChatService } from './modules/chat/service'
import { childrenModule } from './modules/children'
import { conversationsModule } from './modules/conversations'
import { ConversationsService } from './modules/conversations/service'
import { operatorModule } from './modules/operator'
import { OperatorService } from './modules/operator/service'
import { privacyModule } from './modules/privacy'
import { PrivacyService } from './modules/privacy/service'
import { progressModule } from './modules/progress'
import { usageModule } from './modules/usage'
import { UsageService } from './modules/usage/service'
import { devicesModule } from './modules/devices'
import { DevicesService } from './modules/devices/service'
import { ChildrenService } from './modules/children/service'
import { familyModule } from './modules/family'
import { FamilyService } from './modules/family/service'
import type { Logger } from './obs/logger'
import { safetyDefaults } from './safety/create-safety'
import type { Mailer } from './safety/mailer'
import type { ChildCaches } from './session/child-caches'
import type { DeviceControl } from './session/device-control'
import type { FieldCipher } from './store/crypto'
import { DeviceRepository } from './store/devices'
import { ErasureRepository } from './store/erasure'
import { ExportRepository } from './store/export'
import { ProgrammeAdminRepository } from './store/programme-admin'
import { type JobRun, JobTimer, MaintenanceRepository } from './store/maintenance'
import { rekey } from './store/rekey'
import { purge } from './store/retention'
import { type LockoutCounter, MemoryLockout, RedisLockout } from './store/lockout'
import { createParentStore, type ParentStore } from './store/parent-store'

// Composition of the parent side of the REST API (accounts, children, consent, pairing claims,
// transcripts, export, deletion, operators): built once by gateway.ts from what it already made,
// and by tests with a real database. Everything here is per instance: no module-level state.

export interface ParentSideInput {
	config: Pick<Config, 'accounts' | 'nodeEnv' | 'safety' | 'privacy' | 'pricing'>
	authSecret: string
	sql: postgres.Sql
	cipher: FieldCipher
	redis?: Redis
	log: Logger
	mailer?: Mailer
	clientIp: (request: Request) => string
	/** The toys connected to this gateway (unpair, consent withdrawn, operators). */
	control: DeviceControl
	/** The gateway answers with a remote AI service, so that consent is needed as well. */
	thirdPartyAi: boolean
	/** A family's rules changed: drop what the toys cached of them. */
	familyChanged?: (familyId: string) => void
	/** What the running gateway holds in memory about a child, dropped when its data is deleted. */
	caches: ChildCaches
	/** The toys' own (safe) provider and the codec, for parents' text chat; without, the route is absent. */
	chat?: { provider: Provider; codec: Codec }
}

export interface ParentSide {
	plugin: Elysia
	/** The access guard, for modules built elsewhere (pairing claims). */
	access: AccessGuard
	store: ParentStore
	accounts: AccountsService
	tokens: AccessTokens
	/** One retention purge now (also run every MAINTENANCE_INTERVAL_MINUTES once started). */
	runRetention(): Promise<JobRun | 'busy'>
	/** One re-encrypt pass now (also run in the background while ENCRYPTION_KEYS_OLD is set). */
	runRekey(): Promise<JobRun | 'busy'>
	lastRun(job: 'retention' | 'rekey'): Promise<JobRun | null>
	startJobs(): void
	close(): Promise<void>
}

export function buildParentSide(input: ParentSideInput): ParentSide {
	const { config, log } = input
	const settings = config.accounts
	const keys = deriveAuthKeys(input.authSecret)
	const emailIndex = emailIndexer(keys)
	const store = createParentStore(input.sql, input.cipher, { emailIndex, auditRef: auditPseudonymizer(keys) })
	const tokens = new AccessTokens(keys, settings.accessTokenTtlSeconds)
	const windowMs = settings.lockoutMinutes * 60_000
	const lockout: LockoutCounter = input.redis ? new RedisLockout(input.redis, windowMs) : new MemoryLockout(windowMs)
	const passwords = new Passwords()
	const mail = new AccountMail({
		mailer: input.mailer,
		publicAppUrl: settings.publicAppUrl,
		production: config.nodeEnv === 'production',
		log,
	})
	const accounts = new AccountsService({
		accounts: store.accounts,
		sessions: store.sessions,
		links: store.links,
		families: store.families,
		tokens,
		passwords,
		lockout,
		mail,
		emailIndex,
		settings,
		log,
	})
	const access = accessGuard({ tokens, sessions: store.sessions })
	const children = new ChildrenService({
		children: store.children,
		consents: store.consents,
		accounts: store.accounts,
		links: store.links,
		devices: store.devices,
		control: input.control,
		audit: store.audit,
		mail,
		thirdPartyAi: input.thirdPartyAi,
		log,
	})
	const family = new FamilyService(
		store.families,
		{ ...safetyDefaults(config.safety), retentionDays: config.privacy.retentionDays, allowedTools: [] },
		input.familyChanged,
	)
	const plugin = new Elysia({ name: 'ParentSide' })
		.use(
			accountsModule({
				service: accounts,
				access,
				clientIp: input.clientIp,
				secureCookies: settings.publicAppUrl.startsWith('https:'),
				refreshTokenTtlDays: settings.refreshTokenTtlDays,
			}),
		)
		.use(childrenModule({ service: children, access, clientIp: input.clientIp, thirdPartyAi: input.thirdPartyAi }))
		.use(familyModule({ service: family, access }))
		.use(
			devicesModule({
				service: new DevicesService({
					family: store.devices,
					devices: new DeviceRepository(input.sql),
					control: input.control,
					audit: store.audit,
				}),
				access,
			}),
		)
		.use(
			conversationsModule({
				service: new ConversationsService({ children: store.children, transcripts: store.transcripts, audit: store.audit }),
				access,
			}),
		)
		.use(alertsModule({ service: new AlertsService({ alerts: store.alerts, transcripts: store.transcripts, audit: store.audit }), access }))
		.use(
			usageModule({
				service: new UsageService(store.usage, store.devices, config.pricing),
				access,
				families: store.families,
				defaultTimezone: config.safety.timezone,
			}),
		)
		.use(progressModule({ children: store.children, progress: store.progress, audit: store.audit, access }))
		.use(
			privacyModule({
				service: new PrivacyService({
					erasure: new ErasureRepository(input.sql),
					exporter: new ExportRepository(input.sql, input.cipher),
					accounts: store.accounts,
					children: store.children,
					devices: store.devices,
					passwords,
					control: input.control,
					caches: input.caches,
					audit: store.audit,
					lockout,
					emailIndex,
					log,
				}),
				access,
			}),
		)
		.use(
			operatorModule({
				service: new OperatorService({
					programme: new ProgrammeAdminRepository(input.sql),
					devices: new DeviceRepository(input.sql),
					alerts: store.alerts,
					control: input.control,
					audit: store.audit,
				}),
				access,
			}),
		)
	if (input.chat) {
		const chat = new ChatService({
			...input.chat,
			children: store.children,
			families: store.families,
			usage: store.usage,
			consent: store.consents,
			thirdPartyAi: input.thirdPartyAi,
			audit: store.audit,
			defaultTimezone: config.safety.timezone,
		})
		plugin.use(chatModule({ service: chat, access }))
	}
	const maintenance = new MaintenanceRepository(input.sql)
	const policy = { defaultDays: config.privacy.retentionDays, auditDays: config.privacy.auditRetentionDays }
	const runRetention = () => maintenance.run('retention', (tx) => purge(tx, policy))
	const retentionTimer = new JobTimer('retention', runRetention, log)
	// Key rotation: while older keys are configured, rows still under them move to the current key.
	const runRekey = () => maintenance.run('rekey', async () => ({ ...(await rekey(input.sql, input.cipher)) }))
	const rekeyTimer = new JobTimer('rekey', runRekey, log)
	return {
		plugin: plugin as unknown as Elysia,
		access,
		store,
		accounts,
		tokens,
		runRetention,
		lastRun: (job) => maintenance.last(job),
		runRekey,
		startJobs() {
			retentionTimer.start(config.privacy.maintenanceIntervalMinutes * 60_000)
			if (input.cipher.hasOlderKeys) rekeyTimer.start(config.privacy.maintenanceIntervalMinutes * 60_000)
		},
		async close() {
			await Promise.all([retentionTimer.stop(), rekeyTimer.stop()])
			lockout.close?.()
		},
	}
}
