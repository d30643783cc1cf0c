// The page's stylesheet (see page.ts). Session colours: open green, opening amber, hopeless
// (the peer stopped answering; the daemon gave up) purple, held-down (restarted too often) brown,
// down (no session) red; the last three dashed.
export const PAGE_CSS = `
:root { --open: #2e9d3a; --opening: #e0a800; --down: #d0312d; --hopeless: #7e3fa6; --held-down: #a0522d; --ink: #1d2330; --muted: #6b7280; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, sans-serif; color: var(--ink); margin: 0 24px 24px; background: #fafbfc; }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
h1 { font-size: 20px; margin: 16px 0 4px; }
#summary { color: var(--muted); }
.live { font-size: 12px; padding: 1px 8px; border-radius: 10px; color: #fff; background: var(--open); }
.live.off { background: var(--muted); }
.legend { display: flex; gap: 16px; font-size: 12px; color: var(--muted); margin-bottom: 8px; flex-wrap: wrap; }
.legend .sw { display: inline-block; width: 18px; height: 4px; margin-right: 4px; vertical-align: middle; }
.sw.open { background: var(--open); } .sw.opening { background: var(--opening); } .sw.down { background: var(--down); }
.sw.hopeless { background: var(--hopeless); } .sw.held-down { background: var(--held-down); }
#fabric { width: 100%; max-height: 420px; background: #fff; border: 1px solid #e3e6ea; border-radius: 6px; }
#fabric .end { stroke-width: 3; stroke-linecap: round; }
#fabric .end[data-state="open"] { stroke: var(--open); }
#fabric .end[data-state="opening"] { stroke: var(--opening); }
#fabric .end[data-state="down"] { stroke: var(--down); stroke-dasharray: 6 4; }
#fabric .end[data-state="hopeless"] { stroke: var(--hopeless); stroke-dasharray: 6 4; }
#fabric .end[data-state="held-down"] { stroke: var(--held-down); stroke-dasharray: 2 4; }
#fabric .node rect { fill: #fff; stroke: var(--ink); stroke-width: 1.5; rx: 5; }
#fabric .node[data-daemon="false"] rect { fill: #eceef1; stroke: var(--down); stroke-dasharray: 4 3; }
#fabric .node text { font-size: 13px; text-anchor: middle; dominant-baseline: central; font-weight: 600; }
#fabric a:hover rect { fill: #eef4ff; }
/* BGP-LS (lab up --bgp): a badge per link, a line under each switch */
#fabric circle.bgp { stroke: #fff; stroke-width: 1.5; }
#fabric circle.bgp[data-bgp="paired"] { fill: #2757c9; }
#fabric circle.bgp[data-bgp="half"] { fill: #fff; stroke: #2757c9; stroke-width: 2; }
#fabric circle.bgp[data-bgp="none"] { fill: #b8bec8; }
#fabric text.bgp-state { font-size: 10px; font-weight: 400; fill: var(--muted); }
#fabric text.bgp-state[data-bgp-state="established"] { fill: #2757c9; }
.legend .badge { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: middle; }
.badge.paired { background: #2757c9; } .badge.half { border: 2px solid #2757c9; } .badge.none { background: #b8bec8; }
.legend .dead { color: var(--down); }
[hidden] { display: none !important; }
section.switch h2 .bgp-session { font-size: 12px; font-weight: 400; margin-left: 8px; color: var(--down); }
section.switch h2 .bgp-session[data-bgp-state="established"] { color: #2757c9; }
#switches { display: grid; grid-template-columns: repeat(auto-fill, minmax(780px, 1fr)); gap: 16px; margin-top: 16px; }
section.switch { background: #fff; border: 1px solid #e3e6ea; border-radius: 6px; padding: 8px 12px; overflow-x: auto; }
section.switch h2 { font-size: 15px; margin: 4px 0 8px; }
section.switch h2 .id { font: 12px ui-monospace, monospace; color: var(--muted); margin-left: 8px; }
section.switch h2 .dead { color: var(--down); font-size: 12px; margin-left: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 2px 6px; white-space: nowrap; }
tr.first td { border-top: 1px solid #e3e6ea; }
th { color: var(--muted); font-weight: 600; }
td.mono { font-family: ui-monospace, monospace; }
.state { font-size: 11px; padding: 0 6px; border-radius: 8px; color: #fff; }
.state.open { background: var(--open); } .state.opening { background: var(--opening); } .state.down { background: var(--down); }
.state.hopeless { background: var(--hopeless); } .state.held-down { background: var(--held-down); }
.heard { color: var(--muted); }
/* prefixes last heard from a session that is down now (a daemon killed before it could withdraw) */
tr[data-state="down"] td:nth-child(n+6), tr[data-state="hopeless"] td:nth-child(n+6),
tr[data-state="held-down"] td:nth-child(n+6) { opacity: 0.5; }
/* a switch's table collapses to its summary line; click to open */
.switch summary { cursor: pointer; list-style-position: outside; }
.switch summary h2 { display: inline-block; margin-right: 12px; }
.switch .counts { color: var(--muted); font-size: 13px; }
.switch .counts .state { margin-left: 4px; }
`;
