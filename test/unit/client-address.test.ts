import { describe, expect, test } from 'bun:test'
import { clientOf, limitKey, trustedProxies } from '../../gateway/src/modules/edge/client-address'

// Who a request's client is, for rate limits (docs/security.md "Who the client is").

const headers = (h: Record<string, string>) => new Headers(h)
const proxies = trustedProxies(['10.0.0.0/8', 'fd00::/8'])

describe('client address', () => {
	test('without trusted proxies, X-Forwarded-For is ignored', () => {
		const c = clientOf('203.0.113.5', headers({ 'x-forwarded-for': '198.51.100.1', 'x-forwarded-proto': 'https' }), 'http://gw/', null)
		expect(c).toEqual({ ip: '203.0.113.5', key: '203.0.113.5', secure: false })
	})

	test('behind trusted proxies the client is the right-most untrusted hop; left-hand entries are the client’s own words', () => {
		const h = headers({ 'x-forwarded-for': '1.1.1.1, 203.0.113.7, 10.1.2.3', 'x-forwarded-proto': 'https' })
		expect(clientOf('10.0.0.2', h, 'http://gw/', proxies)).toEqual({ ip: '203.0.113.7', key: '203.0.113.7', secure: true })
	})

	test('a peer that is not a trusted proxy is the client, whatever it claims', () => {
		const h = headers({ 'x-forwarded-for': '10.9.9.9', 'x-forwarded-proto': 'https' })
		expect(clientOf('198.51.100.4', h, 'http://gw/', proxies)).toEqual({ ip: '198.51.100.4', key: '198.51.100.4', secure: false })
	})

	test('garbage in the chain stops at the last hop that can be vouched for', () => {
		expect(clientOf('10.0.0.2', headers({ 'x-forwarded-for': 'evil, not-an-ip' }), 'http://gw/', proxies).ip).toBe('10.0.0.2')
		expect(clientOf('10.0.0.2', headers({}), 'http://gw/', proxies).ip).toBe('10.0.0.2')
	})

	test('IPv4-mapped, bracketed and ported forms are read as the plain address', () => {
		expect(clientOf('::ffff:10.0.0.2', headers({ 'x-forwarded-for': '[2001:db8::5]:443' }), 'http://gw/', proxies).ip).toBe('2001:db8::5')
		expect(clientOf('::ffff:203.0.113.9', headers({}), 'http://gw/', proxies).ip).toBe('203.0.113.9')
		expect(clientOf('10.0.0.2', headers({ 'x-forwarded-for': '203.0.113.9:5123' }), 'http://gw/', proxies).ip).toBe('203.0.113.9')
	})

	test('every address of one IPv6 /64 shares one budget; IPv4 addresses have their own', () => {
		expect(limitKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
		expect(limitKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64')
		expect(limitKey('2001:0db8:0001:0003::1')).toBe('2001:db8:1:3::/64')
		expect(limitKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
		expect(limitKey('203.0.113.9')).toBe('203.0.113.9')
		expect(clientOf('2001:db8:1:2::99', headers({}), 'http://gw/', null).key).toBe('2001:db8:1:2::/64')
	})
})
