import { CLOSE, type ErrorCode, GatewayError } from '../errors'
import type { DeviceSocket } from './connection'

export function sendJson(ws: DeviceSocket, msg: object): void {
	ws.send(JSON.stringify(msg))
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
