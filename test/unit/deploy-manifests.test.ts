import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { Elysia } from 'elysia'
import { buildApp } from '../../gateway/src/app'
import { accessGuard } from '../../gateway/src/modules/access'
import { OriginPolicy } from '../../gateway/src/modules/edge/service'
import { ENV_NAMES, loadConfig } from '../../gateway/src/config'
import { createLogger } from '../../gateway/src/obs/logger'
import { Metrics } from '../../gateway/src/obs/metrics'

// The deploy stack is checked against the code, so a renamed variable, route, port or metric
// cannot leave a manifest, an alert or the dashboard quietly pointing at nothing.

const ROOT = join(import.meta.dir, '..', '..')
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8')
// ? Manifests are untyped YAML; the assertions are the schema.
type Doc = any

const k8s: Record<string, Doc> = {}
for (const f of ['configmap', 'deployment', 'service', 'hpa', 'pdb', 'networkpolicy', 'namespace']) {
	k8s[f] = parseAllDocuments(read(`deploy/k8s/${f}.yaml`))[0].toJSON()
}
const secretExample = parse(read('deploy/k8s/secret.example.yaml'))
const compose = parse(read('deploy/compose/compose.yaml'), { merge: true })
const container = k8s.deployment.spec.template.spec.containers[0]
const configMap: Record<string, string> = k8s.configmap.data

const stub = {} as never
// ? Routes are registered when the app is built; no dependency is called until a request comes.
const access = accessGuard(stub)
const app = buildApp({
	log: createLogger('silent'),
	edge: { origins: new OriginPolicy([]), limiters: {}, maxBodyBytes: 1024 } as never,
	health: { version: 'test' } as never,
	ota: stub,
	pairing: { access } as never,
	operations: { access } as never,
	deviceConfig: { access } as never,
	firmware: { access } as never,
	parents: new Elysia(),
})
const getRoutes = new Set(app.routes.filter((r) => r.method === 'GET').map((r) => r.path))

const metricNames = new Set(new Metrics().registry.getMetricsAsArray().map((m) => m.name))
/** teddy_* names used in a PromQL text, histogram suffixes removed. */
const usedMetrics = (text: string) => [...new Set([...text.matchAll(/\bteddy_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))]

describe('Kubernetes manifests', () => {
	test('every environment variable they set is one the gateway reads', () => {
		const names = [...Object.keys(configMap), ...container.env.map((e: Doc) => e.name), ...Object.keys(secretExample.stringData)]
		expect(names.filter((n) => !ENV_NAMES.includes(n))).toEqual([])
		// secrets come from the Secret, never from the ConfigMap
		for (const secret of ['ESP32_SHARED_SECRET', 'ENCRYPTION_KEY', 'DATABASE_URL', 'REDIS_URL', 'OPENAI_API_KEY', 'AUTH_SECRET']) {
			expect(configMap[secret]).toBeUndefined()
			expect(container.env.find((e: Doc) => e.name === secret)?.valueFrom?.secretKeyRef?.name).toBe('teddy-gateway')
		}
	})

	test('probes hit real routes on the port the gateway listens on', () => {
		const ports = Object.fromEntries(container.ports.map((p: Doc) => [p.name, p.containerPort]))
		expect(ports.http).toBe(Number(configMap.PORT))
		expect(ports.metrics).toBe(Number(configMap.METRICS_PORT))
		for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
			const get = container[probe].httpGet
			expect(getRoutes.has(get.path)).toBe(true)
			expect(ports[get.port] ?? get.port).toBe(Number(configMap.PORT))
		}
		expect(container.readinessProbe.httpGet.path).toBe('/health/ready')
		expect(getRoutes.has(k8s.deployment.spec.template.metadata.annotations['prometheus.io/path'])).toBe(true)
		expect(Number(k8s.deployment.spec.template.metadata.annotations['prometheus.io/port'])).toBe(ports.metrics)
		for (const p of k8s.service.spec.ports) expect(Object.keys(ports)).toContain(p.targetPort)
		for (const rule of k8s.networkpolicy.spec.ingress) for (const p of rule.ports) expect(Object.values(ports)).toContain(p.port)
	})

	test('the drain fits in the termination grace period, after preStop', () => {
		const grace = k8s.deployment.spec.template.spec.terminationGracePeriodSeconds * 1000
		const preStop = container.lifecycle.preStop.sleep.seconds * 1000
		// main.ts exits at SHUTDOWN_GRACE_MS + 1.5 s at the latest
		expect(preStop + Number(configMap.SHUTDOWN_GRACE_MS) + 1500).toBeLessThanOrEqual(grace)
	})

	test('the HPA, PDB and Service select the Deployment and scale on a real metric', () => {
		const labels = k8s.deployment.spec.template.metadata.labels
		for (const sel of [k8s.service.spec.selector, k8s.pdb.spec.selector.matchLabels, k8s.networkpolicy.spec.podSelector.matchLabels]) expect(sel).toEqual(labels)
		expect(k8s.hpa.spec.scaleTargetRef.name).toBe(k8s.deployment.metadata.name)
		for (const m of k8s.hpa.spec.metrics.filter((m: Doc) => m.type === 'Pods')) expect(metricNames.has(m.pods.metric.name)).toBe(true)
	})
})

describe('compose stack', () => {
	const gateways = Object.entries(compose.services as Record<string, Doc>).filter(([name]) => name.startsWith('gateway-'))

	test('two gateways, each with only variables the gateway reads and its own node id', () => {
		expect(gateways.length).toBe(2)
		const ids = new Set<string>()
		for (const [, svc] of gateways) {
			expect(Object.keys(svc.environment).filter((n) => !ENV_NAMES.includes(n))).toEqual([])
			ids.add(svc.environment.NODE_ID)
			expect(svc.environment.NODE_ENV).toBe('production')
		}
		expect(ids.size).toBe(2)
		for (const s of ['postgres', 'redis', 'caddy', 'prometheus', 'grafana']) expect(compose.services[s]).toBeDefined()
	})

	test('the gateways believe X-Forwarded-For only from the network Caddy reaches them on', () => {
		const [, gw] = gateways[0]
		expect(compose.services.caddy.networks).toContain('internal')
		expect(gw.environment.TRUSTED_PROXIES).toBe(compose.networks.internal.ipam.config[0].subnet)
		// production without it would rate-limit every toy as Caddy's one address; the Kubernetes
		// settings, with real secrets in place of the example's, are a valid production config
		const secrets = { ESP32_SHARED_SECRET: 'a'.repeat(64), ENCRYPTION_KEY: 'b'.repeat(64), AUTH_SECRET: 'c'.repeat(64) }
		const parsed = loadConfig({ ...configMap, ...secretExample.stringData, ...secrets, TRUSTED_PROXIES: gw.environment.TRUSTED_PROXIES })
		expect(parsed.trustedProxies).toEqual([gw.environment.TRUSTED_PROXIES])
	})

	test('Caddy, Prometheus and the healthcheck point at real ports and routes', () => {
		const [, gw] = gateways[0]
		const port = gw.environment.PORT
		const metricsPort = gw.environment.METRICS_PORT
		const health = gw.healthcheck.test.join(' ')
		const path = /127\.0\.0\.1:8000(\/[a-z/]+)/.exec(health)?.[1]
		expect(port).toBe('8000')
		expect(getRoutes.has(path as string)).toBe(true)

		const caddy = read('deploy/caddy/Caddyfile')
		for (const [name] of gateways) expect(caddy).toContain(`${name}:${port}`)
		expect(getRoutes.has(/health_uri (\S+)/.exec(caddy)?.[1] as string)).toBe(true)

		const prom = parse(read('deploy/prometheus/prometheus.yml'))
		const targets: string[] = prom.scrape_configs[0].static_configs[0].targets
		expect(targets.sort()).toEqual(gateways.map(([name]) => `${name}:${metricsPort}`).sort())
		expect(getRoutes.has(prom.scrape_configs[0].metrics_path)).toBe(true)
	})
})

describe('alerts, dashboard and docs name real metrics', () => {
	test('every alert rule and dashboard query uses metrics the gateway exports', () => {
		const alerts = parse(read('deploy/prometheus/alerts.yml'))
		const exprs = alerts.groups.flatMap((g: Doc) => g.rules.map((r: Doc) => r.expr)).join('\n')
		const dashboard = JSON.parse(read('deploy/grafana/dashboards/teddy-gateway.json'))
		const queries = dashboard.panels.flatMap((p: Doc) => p.targets.map((t: Doc) => t.expr)).join('\n')
		for (const text of [exprs, queries]) {
			const used = usedMetrics(text)
			expect(used.length).toBeGreaterThan(5)
			expect(used.filter((m) => !metricNames.has(m))).toEqual([])
		}
	})

	test('docs/operations.md describes every metric', () => {
		const doc = read('docs/operations.md')
		expect([...metricNames].filter((m) => m.startsWith('teddy_') && !doc.includes(`\`${m}\``))).toEqual([])
	})
})
