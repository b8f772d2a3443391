import { createHmac } from 'node:crypto'
import { TestSocket } from './ws-client'

// The boot sequence of stock xiaozhi-esp32 firmware (main/application.cc CheckNewVersion and
// main/ota.cc, read from github.com/78/xiaozhi-esp32), replayed request for request:
//
//   loop:
//     check in (POST OTA url; any status but 200 → retry after 10, 20, 40 … s, give up after 10)
//     no `activation` code and no challenge in the reply → leave the loop, open the WebSocket
//     else say the code, then up to 10 times: POST <ota>/activate
//       200 → leave the poll; 202 → wait 3 s; anything else → wait 10 s
//     and check in again
//
// Waits are scaled (`msPerSecond`) so a test runs in a fraction of the firmware's time; counts
// are exact. The loop stops at `maxCheckIns` so a gateway that never lets go ends the test.

export interface FirmwareIdentity {
	/** The MAC address the firmware sends as Device-Id. */
	deviceId: string
	/** The UUID the firmware keeps in flash (Board::GetUuid) and sends as Client-Id. */
	clientId: string
	/** eFuse user data; boards that have one send Activation-Version 2 and answer the challenge. */
	serialNumber?: string
	/** The key in eFuse HMAC_KEY0 the firmware signs the challenge with. */
	hmacKey?: Uint8Array
	/** py-xiaozhi's form: the activation answer wrapped as `{"Payload": {...}}`. */
	wrapPayload?: boolean
}

export interface BootResult {
	checkIns: number
	activations: number
	/** Status of every activation call, in order. */
	activateStatuses: number[]
	/** Status of every check-in, in order. */
	checkInStatuses: number[]
	/** The WebSocket settings the firmware kept, once it left the loop. */
	websocket?: { url: string; token: string }
	/** The codes the toy was told to say. */
	spokenCodes: string[]
	gaveUp: boolean
}

export class XiaozhiFirmware {
	constructor(
		readonly otaUrl: string,
		readonly id: FirmwareIdentity,
		readonly opts: { msPerSecond?: number; maxCheckIns?: number } = {},
	) {}

	private headers(): Record<string, string> {
		const h: Record<string, string> = {
			'Activation-Version': this.id.serialNumber ? '2' : '1',
			'Device-Id': this.id.deviceId,
			'Client-Id': this.id.clientId,
			'User-Agent': 'bread-compact-wifi/1.7.4',
			'Accept-Language': 'en-US',
			'Content-Type': 'application/json',
		}
		if (this.id.serialNumber) h['Serial-Number'] = this.id.serialNumber
		return h
	}

	private systemInfo(): string {
		return JSON.stringify({
			version: 2,
			language: 'en-US',
			flash_size: 16777216,
			mac_address: this.id.deviceId,
			uuid: this.id.clientId,
			chip_model_name: 'esp32s3',
			application: { name: 'xiaozhi', version: '1.7.4', compile_time: 'Jan 1 2026T00:00:00Z', idf_version: 'v5.4.1', elf_sha256: 'cd'.repeat(32) },
			board: { type: 'bread-compact-wifi', name: 'bread-compact-wifi', ssid: 'home', rssi: -48, channel: 1, ip: '192.168.1.20', mac: this.id.deviceId },
		})
	}

	/** ota.cc GetActivationPayload: `{}` without a serial number, else the HMAC of the challenge. */
	private activationPayload(challenge: string): string {
		if (!this.id.serialNumber) return '{}'
		const hmac = this.id.hmacKey ? createHmac('sha256', this.id.hmacKey).update(challenge).digest('hex') : ''
		const answer = { algorithm: 'hmac-sha256', serial_number: this.id.serialNumber, challenge, hmac }
		return JSON.stringify(this.id.wrapPayload ? { Payload: answer } : answer)
	}

	checkIn(): Promise<Response> {
		return fetch(this.otaUrl, { method: 'POST', headers: this.headers(), body: this.systemInfo() })
	}

	activate(challenge: string): Promise<Response> {
		const url = this.otaUrl.endsWith('/') ? `${this.otaUrl}activate` : `${this.otaUrl}/activate`
		return fetch(url, { method: 'POST', headers: this.headers(), body: this.activationPayload(challenge) })
	}

	private sleep(seconds: number): Promise<void> {
		return Bun.sleep(seconds * (this.opts.msPerSecond ?? 10))
	}

	/** Runs the boot loop until the firmware would open its WebSocket (or gives up). */
	async boot(onCode?: (code: string) => void | Promise<void>): Promise<BootResult> {
		const r: BootResult = { checkIns: 0, activations: 0, activateStatuses: [], checkInStatuses: [], spokenCodes: [], gaveUp: false }
		const maxCheckIns = this.opts.maxCheckIns ?? 40
		let retries = 0
		let retryDelay = 10
		while (r.checkIns < maxCheckIns) {
			r.checkIns++
			const res = await this.checkIn()
			r.checkInStatuses.push(res.status)
			if (res.status !== 200) {
				await res.body?.cancel()
				if (++retries >= 10) break
				await this.sleep(retryDelay)
				retryDelay *= 2
				continue
			}
			retries = 0
			retryDelay = 10
			const reply = (await res.json()) as {
				websocket?: { url: string; token: string }
				activation?: { code?: string; challenge?: string }
			}
			if (reply.websocket) r.websocket = reply.websocket
			const code = reply.activation?.code
			const challenge = reply.activation?.challenge
			if (code === undefined && challenge === undefined) return r
			if (code !== undefined) {
				r.spokenCodes.push(code)
				await onCode?.(code)
			}
			for (let i = 0; i < 10; i++) {
				r.activations++
				const a = await this.activate(challenge ?? '')
				r.activateStatuses.push(a.status)
				await a.body?.cancel()
				if (a.status === 200) break
				await this.sleep(a.status === 202 ? 3 : 10)
			}
		}
		r.gaveUp = true
		r.websocket = undefined
		return r
	}

	/** Opens the WebSocket the way the firmware does with what the check-in gave it, and says hello. */
	async connect(websocket: { url: string; token: string }): Promise<TestSocket> {
		const s = new TestSocket(websocket.url, {
			Authorization: `Bearer ${websocket.token}`,
			'Protocol-Version': '3',
			'Device-Id': this.id.deviceId,
			'Client-Id': this.id.clientId,
		})
		await s.opened
		s.send({ type: 'hello', version: 3, transport: 'websocket', audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 } })
		return s
	}
}
