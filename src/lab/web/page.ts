// The lab's web page, one self-contained document (tsc only compiles .ts, so
// it lives here as a string). It draws what the collector sends on /events
// (see LabView in ../view.ts): the fabric as SVG, spines above leaves, each
// link in two halves coloured by the session state at that end, and per
// switch the reference collector's table. No reload: every event redraws.
// The script avoids backquotes and dollar-brace so it can sit in this literal.
import { PAGE_CSS } from './style.js';
import { PAGE_SCRIPT } from './script.js';

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LSOE lab</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
  <h1>LSOE lab <span id="lab-name"></span></h1>
  <span id="summary"></span>
  <span id="live" class="live off" title="live updates from the collector">connecting</span>
</header>
<div class="legend">
  <span><i class="sw open"></i>open</span>
  <span><i class="sw opening"></i>opening</span>
  <span><i class="sw hopeless"></i>hopeless</span>
  <span><i class="sw held-down"></i>held down</span>
  <span><i class="sw down"></i>down</span>
  <span class="hint">each link is drawn in two halves: the upper half is the upper switch's session, the lower half the lower switch's</span>
</div>
<div class="legend" id="bgp-legend" hidden>
  <span><i class="badge paired"></i>in BGP-LS (both halves)</span>
  <span><i class="badge half"></i>one half</span>
  <span><i class="badge none"></i>not in BGP-LS</span>
  <span class="hint">as the lab's gobgpd received it (its dump, read back by lsoe); under each switch its BGP session and the NLRI gobgpd accepted from it</span>
  <span id="bgp-problem" class="dead" hidden></span>
</div>
<svg id="fabric" role="img" aria-label="fabric"></svg>
<main id="switches"></main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
