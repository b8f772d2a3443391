#!/usr/bin/env python3
# Summarises a Bun/Chrome .cpuprofile: top self time, the share of metrics code, and each /metrics
# scrape as an episode (bench/results/metrics-profile.md). Usage: bench/cpuprofile-summary.py FILE.cpuprofile
import json,sys,collections,os
for path in sys.argv[1:]:
    d=json.load(open(path))
    nodes={n['id']:n for n in d['nodes']}
    counts=collections.Counter(d['samples'])
    deltas=d.get('timeDeltas') or [1]*len(d['samples'])
    selft=collections.Counter()
    for sid,dt in zip(d['samples'],deltas):
        selft[sid]+=dt
    total=sum(selft.values())
    byfn=collections.Counter(); byfile=collections.Counter()
    for sid,t in selft.items():
        cf=nodes[sid]['callFrame']; url=cf.get('url','') or '(native)'
        fn=cf.get('functionName') or '(anon)'
        short=url.split('/work/wt/operators/')[-1]
        byfn[(fn,short)]+=t; byfile[short]+=t
    print('==',os.path.basename(path),'total ms',round(total/1000))
    idle=sum(t for (fn,u),t in byfn.items() if fn in ('(idle)','(program)','(garbage collector)'))
    for (fn,u),t in byfn.most_common(25): print(f'{100*t/total:6.2f}%  {fn}  {u}')
    print('-- metrics-related files/functions:')
    keys=['obs/metrics.ts','obs/latency-histogram.ts','ai/timed-provider.ts','prom-client']
    s=0
    for f,t in byfile.items():
        if any(k in f for k in keys): print(f'{100*t/total:6.3f}%  {f}'); s+=t
    for (fn,u),t in byfn.items():
        if fn in ('firstFrameOut','observe','census','collect') and not any(k in u for k in keys): print(f'{100*t/total:6.3f}%  {fn} {u}'); s+=t
    print(f'metrics total self {100*s/total:.3f}% of samples')

print('-- scrapes (samples under registry.js):')
pat="registry.js"
nodes={n['id']:n for n in d['nodes']}
parent={}
for n in d['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
def hit(sid):
    x=sid
    while x in nodes:
        c=nodes[x]['callFrame']
        if pat in (c.get('url') or '') or pat==c.get('functionName'): return True
        x=parent.get(x)
    return False
t=d['startTime']; episodes=[]; incl=0; total=0
for sid,dt in zip(d['samples'],d['timeDeltas']):
    t+=dt; total+=dt
    if hit(sid):
        incl+=dt
        if episodes and t-episodes[-1][1] < 50000: episodes[-1][1]=t; episodes[-1][2]+=dt
        else: episodes.append([t,t,dt])
print('inclusive ms',incl/1000,'of',total/1000)
for s,e,c in episodes: print(f'at {(s-d["startTime"])/1e6:7.2f}s span {(e-s)/1000:7.1f} ms, samples {c/1000:6.1f} ms')
