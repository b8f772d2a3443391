import { CLOSE, type ErrorCode, GatewayError } from '../errors'
import { log } from '../obs/logger'
import type { DeviceSocket, SendPolicy } from './connection'

// Every byte to a toy goes through here, so one place enforces the send-buffer policy:
// a toy on slow Wi-Fi that stops reading never makes the gateway buffer without bound.
//   - audio beyond half the cap is dropped for the rest of that answer (the toy resumes cleanly
//     at the next turn instead of hearing a stuttering tail);
//   - a send that Bun drops because the cap is reached closes the socket with a logged reason.

/** Audio stops at half the send buffer, leaving room for the JSON that ends the answer. */
export function sendPolicy(sendBufferBytes: number): SendPolicy {
	return { audioCap: sendBufferBytes >> 1 }
}

const DROPPED = 0

function sent(ws: DeviceSocket, result: number): boolean {
	const counters = ws.data.counters
	if (result !== DROPPED || ws.readyState !== 1) {
		if (counters && result !== DROPPED) counters.framesOut++
		return result !== DROPPED
	}
	if (counters) counters.socketsCut++
	log.warn(
		{ cid: ws.data.cid, device: ws.data.deviceId, buffered: ws.getBufferedAmount() },
		'closing a device that is not reading: send buffer full',
	)
	ws.close(CLOSE.internal, 'send buffer full')
	return false
}

export function sendJson(ws: DeviceSocket, msg: object): boolean {
	return sent(ws, ws.send(JSON.stringify(msg)))
}

/** One downlink audio frame; false when it was dropped under backpressure. */
export function sendAudio(ws: DeviceSocket, frame: Uint8Array | string): boolean {
	if (ws.data.audioDropped) {
		if (ws.data.counters) ws.data.counters.audioFramesDropped++
		return false
	}
	if (ws.getBufferedAmount() > ws.data.send.audioCap) {
		ws.data.audioDropped = true
		if (ws.data.counters) {
			ws.data.counters.answersCut++
			ws.data.counters.audioFramesDropped++
		}
		log.warn({ cid: ws.data.cid, device: ws.data.deviceId }, 'device is reading too slowly: dropping the rest of this answer')
		return false
	}
	return sent(ws, ws.send(frame))
}

/** A new answer starts: audio flows again if the toy has caught up. */
export function resumeAudio(ws: DeviceSocket): void {
	ws.data.audioDropped = false
}

export function sendError(ws: DeviceSocket, code: ErrorCode, message: string): void {
	ws.send(JSON.stringify({ type: 'error', code, message }))
}

/** The toy is told why (PROTOCOL.md §5), then the socket closes with the code for that error. */
export function closeWithError(ws: DeviceSocket, err: GatewayError): void {
	sendError(ws, err.code, err.message)
	ws.close(err.closeCode, err.code)
}

export function asGatewayError(err: unknown): GatewayError {
	if (err instanceof GatewayError) return err
	return new GatewayError('INTERNAL', 'internal error')
}

export { CLOSE }
