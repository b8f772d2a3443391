import { createHash } from 'node:crypto'

// Staged rollout: a toy is in a release's first p % when hash(device id | release id) falls in the
// first p·100 of 10,000 buckets. Stable for a toy within one rollout (raising the percentage only
// adds toys), and different per rollout, so every release starts on a different first 1 %.

export const BUCKETS = 10_000

export function rolloutBucket(deviceId: string, releaseId: string): number {
	const digest = createHash('sha256').update(`${deviceId}|${releaseId}`).digest()
	return digest.readUInt32BE(0) % BUCKETS
}

export function inRollout(deviceId: string, releaseId: string, percent: number): boolean {
	return rolloutBucket(deviceId, releaseId) < Math.round(percent * 100)
}
