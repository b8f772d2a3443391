// Firmware versions compare as dotted numbers ("1.10.0" > "1.9.2"); a leading "v" is ignored and a
// "-"/"+" suffix ends the comparison. The same rule as the toy's (firmware device_api.cc) and
// xiaozhi's ota.cc, so the gateway never offers what a toy would call a downgrade.

export const VERSION_PATTERN = '^v?[0-9]+(\\.[0-9]+){0,3}([-+][A-Za-z0-9.-]{1,32})?$'

function parts(v: string): number[] {
	const core = v.replace(/^v/, '').split(/[-+]/)[0] ?? ''
	return core.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : 0))
}

export function compareVersions(a: string, b: string): number {
	const pa = parts(a)
	const pb = parts(b)
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		const x = pa[i] ?? 0
		const y = pb[i] ?? 0
		if (x !== y) return x < y ? -1 : 1
	}
	return 0
}
