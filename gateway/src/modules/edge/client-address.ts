import { BlockList, isIP } from 'node:net'

// Who is on the other end of a request. The socket's peer, unless that peer is one of our own
// proxies (TRUSTED_PROXIES): then the client is the right-most X-Forwarded-For entry that is not a
// trusted proxy. Entries further left were written by the client itself and prove nothing, so a
// client cannot pick its own address (and rate-limit budget) by sending the header.

export interface ClientInfo {
	/** The client's address. */
	ip: string
	/** What rate limits count against: the IPv4 address, or the /64 of an IPv6 one. */
	key: string
	/** Reached us over TLS (directly, or X-Forwarded-Proto from a trusted proxy). */
	secure: boolean
}

export type TrustedProxies = BlockList | null

export function trustedProxies(cidrs: string[]): TrustedProxies {
	if (cidrs.length === 0) return null
	const list = new BlockList()
	for (const cidr of cidrs) {
		const [address, bits] = cidr.split('/') as [string, string | undefined]
		const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
		if (bits === undefined) list.addAddress(address, family)
		else list.addSubnet(address, Number(bits), family)
	}
	return list
}

/** Plain address text: no brackets or port, IPv4-mapped IPv6 as IPv4; '' when it is no address. */
export function normalizeAddress(text: string): string {
	let a = text.trim()
	if (a.startsWith('[')) a = a.slice(1, a.indexOf(']'))
	else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'))
	if (/^::ffff:/i.test(a) && isIP(a.slice(7)) === 4) a = a.slice(7)
	return isIP(a) === 0 ? '' : a
}

// ? One IPv6 subscriber (a home, a phone) gets a whole /64 and may use any address in it: counting
//   per address would give an attacker 2^64 budgets.
export function limitKey(ip: string): string {
	if (isIP(ip) !== 6) return ip
	const [head = '', tail] = ip.split('::') as [string, string | undefined]
	const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [])
	const h = groups(head)
	const t = tail === undefined ? [] : groups(tail)
	const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
	return `${all
		.slice(0, 4)
		.map((g) => Number.parseInt(g, 16).toString(16))
		.join(':')}::/64`
}

function isTrusted(list: BlockList, address: string): boolean {
	return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
}

export function clientOf(peer: string | undefined, headers: Headers, requestUrl: string, proxies: TrustedProxies): ClientInfo {
	const direct = normalizeAddress(peer ?? '') || 'unknown'
	const tls = requestUrl.startsWith('https:')
	if (!proxies || direct === 'unknown' || !isTrusted(proxies, direct)) return { ip: direct, key: limitKey(direct), secure: tls }
	let ip = direct
	const hops = (headers.get('x-forwarded-for') ?? '').split(',')
	for (let i = hops.length - 1; i >= 0; i--) {
		const hop = normalizeAddress(hops[i]!)
		// ? Garbage in the chain: stop at the last hop we could still vouch for.
		if (!hop) break
		ip = hop
		if (!isTrusted(proxies, hop)) break
	}
	const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
	return { ip, key: limitKey(ip), secure: tls || proto === 'https' }
}
