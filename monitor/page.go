package monitor

import "html/template"

// page is the status page: plain HTML, a little CSS, reloaded every five
// seconds; readable on a laptop screen without scrolling sideways.
var page = template.Must(template.New("status").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rex-server status</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: .2em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
.sub { color: #666; }
.cards { display: flex; flex-wrap: wrap; gap: .8em; margin-top: 1em; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .6em 1em; min-width: 9em; }
.card b { display: block; font-size: 1.5em; }
.bar { background: #eee; border-radius: 3px; height: .5em; margin-top: .3em; }
.bar span { display: block; background: #4a8; height: 100%; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25em .6em; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f6f6f6; }
code { font-size: .9em; word-break: break-all; }
.ok { color: #287; } .failed { color: #b60; } .error { color: #c22; }
</style></head><body>
<h1>rex-server</h1>
<div class="sub">{{.Version}} &middot; up {{.Uptime}} &middot; {{.Now}}</div>
<div class="cards">
 <div class="card" id="hit-ratio">action cache hit ratio<b>{{.HitRatio}}</b>{{.Hits}} hits, {{.Misses}} misses</div>
 <div class="card" id="queue">queued<b>{{len .Queued}}{{if .QueueMore}}+{{.QueueMore}}{{end}}</b>waiting for a worker</div>
 <div class="card" id="running">running<b>{{.Running}}</b>on {{len .Workers}} worker(s)</div>
 <div class="card" id="store">store<b>{{.StoreUsed}}</b>of {{.StoreMax}}, {{.StoreEntries}} entries, {{.Evictions}} evicted
  {{if .StorePercent}}<div class="bar"><span style="width: {{.StorePercent}}%"></span></div>{{end}}</div>
</div>
<h2>Workers</h2>
<table id="workers"><tr><th>worker</th><th>platform</th><th>running</th><th>last seen</th></tr>
{{range .Workers}}<tr><td>{{.ID}}</td><td>{{range .Offers}}<code>{{.}}</code> {{else}}(none){{end}}</td>
<td>{{range .Running}}<code>{{.}}</code><br>{{else}}{{if .Polling}}idle, waiting for work{{else}}idle{{end}}{{end}}</td>
<td>{{.LastSeen.UTC.Format "15:04:05"}}</td></tr>
{{else}}<tr><td colspan="4">no worker has connected</td></tr>{{end}}
</table>
<h2>Queue</h2>
<table id="queue-list"><tr><th>action</th></tr>
{{range .Queued}}<tr><td><code>{{.}}</code></td></tr>{{else}}<tr><td>empty</td></tr>{{end}}
{{if .QueueMore}}<tr><td>... and {{.QueueMore}} more</td></tr>{{end}}
</table>
<h2>Recent actions</h2>
<table id="recent"><tr><th>finished</th><th>action</th><th>worker</th><th>outcome</th><th>duration</th></tr>
{{range .Recent}}<tr><td>{{.At}}</td><td><code>{{.Action}}</code></td><td>{{.Worker}}</td>
<td class="{{.Outcome}}">{{.Outcome}}{{if .Detail}}: {{.Detail}}{{end}}</td><td>{{.Duration}}</td></tr>
{{else}}<tr><td colspan="5">none yet</td></tr>{{end}}
</table>
<p class="sub">Metrics for Prometheus: <a href="/metrics">/metrics</a></p>
</body></html>
`))
