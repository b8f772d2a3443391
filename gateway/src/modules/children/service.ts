import { opaqueToken, tokenHash } from '../../auth/parent-tokens'
import { GatewayError } from '../../errors'
import type { Logger } from '../../obs/logger'
import { CONSENT_POLICY_VERSION, IMPLEMENTED_METHODS, type ConsentMethod } from '../../safety/consent'
import { firstName } from '../../safety/prompts'
import type { DeviceControl } from '../../session/device-control'
import type { AccountTokenRepository } from '../../store/account-tokens'
import type { AccountRepository } from '../../store/accounts'
import type { AuditRepository } from '../../store/audit'
import type { ConsentKind, ConsentRecord, ConsentRepository } from '../../store/consents'
import type { ChildProfilePatch, ChildProfileRecord, FamilyChildRepository, NewChildProfile } from '../../store/family-children'
import type { FamilyDeviceRepository } from '../../store/family-devices'
import { audit } from '../access/audit'
import type { ParentPrincipal } from '../access/service'
import type { AccountMail } from '../accounts/mails'
import type { ChildPatchRequest, NewChildRequest } from './model'

// Children's profiles and their parents' consent. Every id is looked up inside the signed-in
// parent's family: another family's child is "not found" (404), exactly like one that never was.

export interface ChildrenDeps {
	children: FamilyChildRepository
	consents: ConsentRepository
	accounts: AccountRepository
	links: AccountTokenRepository
	devices: FamilyDeviceRepository
	control: DeviceControl
	audit: AuditRepository
	mail: AccountMail
	/** True when the gateway answers with a remote AI service: then that consent is needed too. */
	thirdPartyAi: boolean
	log: Logger
	now?: () => Date
}

const CONSENT_LINK_TTL = 48 * 3600

export const notFound = () => new GatewayError('NOT_FOUND', 'no such child in your family')

export class ChildrenService {
	constructor(private readonly d: ChildrenDeps) {}

	async list(p: ParentPrincipal): Promise<ChildProfileRecord[]> {
		await audit(this.d.audit, p, 'child.list')
		return this.d.children.list(p.familyId)
	}

	async get(p: ParentPrincipal, childId: string): Promise<ChildProfileRecord> {
		const child = await this.d.children.get(p.familyId, childId)
		if (!child) throw notFound()
		await audit(this.d.audit, p, 'child.read', { childId })
		return child
	}

	async create(p: ParentPrincipal, body: NewChildRequest): Promise<ChildProfileRecord> {
		const profile: NewChildProfile = {
			name: cleanName(body.name),
			...this.ageOf(body.age, body.birth_year),
			language: body.language ?? null,
			voice: body.voice ?? null,
			timezone: checkZone(body.timezone ?? null),
			country: body.country ?? null,
		}
		const child = await this.d.children.create(p.familyId, profile)
		await audit(this.d.audit, p, 'child.create', { childId: child.id })
		return child
	}

	async update(p: ParentPrincipal, childId: string, body: ChildPatchRequest): Promise<ChildProfileRecord> {
		const patch: ChildProfilePatch = {}
		if (body.name !== undefined) patch.name = cleanName(body.name)
		if (body.age !== undefined || body.birth_year !== undefined) {
			if (body.birth_year === null && body.age === undefined) {
				throw new GatewayError('INVALID_AGE', 'give age when clearing birth_year')
			}
			Object.assign(patch, this.ageOf(body.age, body.birth_year ?? undefined))
		}
		if (body.language !== undefined) patch.language = body.language
		if (body.voice !== undefined) patch.voice = body.voice
		if (body.timezone !== undefined) patch.timezone = checkZone(body.timezone)
		if (body.country !== undefined) patch.country = body.country
		const updated = await this.d.children.update(p.familyId, childId, patch)
		if (!updated) throw notFound()
		await audit(this.d.audit, p, 'child.update', { childId })
		return updated
	}

	// Consent -----------------------------------------------------------------------------------

	async consent(p: ParentPrincipal, childId: string): Promise<{ coppa: boolean; thirdPartyAi: boolean; history: ConsentRecord[] }> {
		if (!(await this.d.children.owns(p.familyId, childId))) throw notFound()
		await audit(this.d.audit, p, 'consent.read', { childId })
		const [state, history] = await Promise.all([
			this.d.consents.state(childId, CONSENT_POLICY_VERSION),
			this.d.consents.history(p.familyId, childId),
		])
		return { coppa: state.coppa, thirdPartyAi: state.thirdPartyAi, history }
	}

	/** Records the parent's request and mails the confirmation link (email_plus's second step). */
	async requestConsent(p: ParentPrincipal, childId: string, req: { policyVersion: string; method: ConsentMethod; thirdPartyAi: boolean }, ip: string): Promise<void> {
		const child = await this.d.children.get(p.familyId, childId)
		if (!child) throw notFound()
		if (req.policyVersion !== CONSENT_POLICY_VERSION) {
			throw new GatewayError('CONFLICT', `the consent text changed: show version ${CONSENT_POLICY_VERSION} (GET /api/v1/consent/policy) and ask again`)
		}
		if (!IMPLEMENTED_METHODS.includes(req.method)) {
			throw new GatewayError('BAD_REQUEST', `method ${req.method} is not available on this gateway; use ${IMPLEMENTED_METHODS.join(', ')}`)
		}
		const account = await this.d.accounts.get(p.parentId)
		// ! email_plus rests on a verified address: sign-in already requires one, checked again here.
		if (!account?.emailVerified) throw new GatewayError('EMAIL_NOT_VERIFIED', 'confirm your email address first')
		const kinds: ConsentKind[] = req.thirdPartyAi ? ['coppa', 'third_party_ai'] : ['coppa']
		const ids = await this.d.consents.request({
			familyId: p.familyId,
			childId,
			kinds,
			method: req.method,
			policyVersion: req.policyVersion,
			parentId: p.parentId,
			parentEmail: account.email,
			clientIp: ip,
		})
		const token = opaqueToken()
		await this.d.links.issue(tokenHash(token), p.parentId, 'confirm_consent', CONSENT_LINK_TTL, JSON.stringify({ familyId: p.familyId, ids }))
		await audit(this.d.audit, p, 'consent.request', { childId })
		await this.d.mail.consent(account.email, token, firstName(child.name) || 'your child', req.thirdPartyAi)
	}

	async confirmConsent(token: string): Promise<void> {
		const used = await this.d.links.consume(tokenHash(token), 'confirm_consent')
		if (!used?.payload) throw new GatewayError('LINK_INVALID', 'this link is unknown, already used or expired; ask for consent again in the app')
		const { familyId, ids } = JSON.parse(used.payload) as { familyId: string; ids: string[] }
		const account = await this.d.accounts.get(used.parentId)
		// a parent who left the family since cannot confirm for it
		if (!account || account.familyId !== familyId) throw new GatewayError('LINK_INVALID', 'this link is no longer valid')
		const children = await this.d.consents.confirm(familyId, ids)
		for (const childId of children) {
			await this.d.audit.record({ actor: { role: 'parent', id: account.id }, action: 'consent.confirm', familyId, childId })
		}
	}

	/** Withdraws consent; the child's live toys are closed with 4403 at once. */
	async withdrawConsent(p: ParentPrincipal, childId: string, which: 'all' | 'third_party_ai'): Promise<{ withdrawn: number; disconnected: number }> {
		if (!(await this.d.children.owns(p.familyId, childId))) throw notFound()
		const kinds: ConsentKind[] = which === 'all' ? ['coppa', 'third_party_ai'] : ['third_party_ai']
		const withdrawn = await this.d.consents.withdraw(p.familyId, childId, kinds)
		await audit(this.d.audit, p, 'consent.withdraw', { childId, reason: which })
		// ? Only third-party consent gone on a gateway without a remote provider changes nothing for the toy.
		const stops = which === 'all' || this.d.thirdPartyAi
		let disconnected = 0
		if (stops) {
			for (const deviceId of await this.d.devices.ofChild(childId)) {
				if (await this.d.control.disconnect(deviceId, 'CONSENT_REQUIRED', 'a parent withdrew consent for this child')) disconnected++
			}
		}
		return { withdrawn, disconnected }
	}

	private ageOf(age: number | undefined, birthYear: number | undefined): { age: number; birthYear: number | null } {
		if (birthYear !== undefined) {
			const derived = (this.d.now?.() ?? new Date()).getUTCFullYear() - birthYear
			if (age !== undefined && Math.abs(age - derived) > 1) throw new GatewayError('INVALID_AGE', 'age and birth_year disagree')
			const a = age ?? derived
			if (a < 3 || a > 13) throw new GatewayError('INVALID_AGE', 'Teddy is for children aged 3 to 13')
			return { age: a, birthYear }
		}
		if (age === undefined) throw new GatewayError('INVALID_AGE', 'give age (3-13) or birth_year')
		return { age, birthYear: null }
	}
}

function cleanName(name: string): string {
	const n = name.replace(/\s+/g, ' ').trim()
	// control characters and markup have no place in a name that goes into a prompt
	if (!n || /[\p{Cc}<>{}]/u.test(n)) throw new GatewayError('BAD_REQUEST', 'name must be plain text')
	return n
}

function checkZone(zone: string | null): string | null {
	if (zone === null) return null
	try {
		new Intl.DateTimeFormat('en', { timeZone: zone })
		return zone
	} catch {
		throw new GatewayError('BAD_REQUEST', `timezone is not an IANA time zone: ${zone.slice(0, 64)}`)
	}
}
