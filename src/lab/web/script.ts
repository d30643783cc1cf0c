// The page's script (see page.ts): follows /events and redraws the fabric and
// the tables from each LabView it receives. Plain ES2017 for any browser.
// Written without backquotes or dollar-brace: it sits in a String.raw literal.
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var NODE_W = 96, NODE_H = 32, COL_W = 116, ROW_H = 170, TOP = 40;
  var view = null;

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function colonHex(id) { return id ? (id.replace(/[^0-9a-fA-F]/g, '').toLowerCase().match(/../g) || []).join(':') : ''; }
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function ago(iso) {
    if (!iso) return '';
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    var t = new Date(iso).toLocaleTimeString();
    return t + ' (' + (s < 60 ? s + ' s' : Math.round(s / 60) + ' min') + ' ago)';
  }

  // A report's time stands in only where no session is known (a switch outside the lab).
  function heardText(iso, from) { return from === 'report' && iso ? 'report ' + ago(iso) : ago(iso); }

  function drawFabric(v) {
    var svg = document.getElementById('fabric');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var layers = [];
    v.nodes.forEach(function (n) { (layers[n.layer] = layers[n.layer] || []).push(n); });
    layers = layers.filter(Boolean);
    var widest = Math.max.apply(null, layers.map(function (l) { return l.length; }).concat([1]));
    var width = widest * COL_W, height = TOP * 2 + (layers.length - 1) * ROW_H;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    var pos = {};
    layers.forEach(function (layer, row) {
      layer.forEach(function (n, i) {
        pos[n.name] = { x: width * (i + 0.5) / layer.length, y: TOP + row * ROW_H };
      });
    });
    var linkLayer = el('g', { 'class': 'links' }, svg);
    // Parallel links between the same two switches are spread apart so each stays visible.
    var pairs = {}, seen = {}, raise = [];
    v.links.forEach(function (l) { var k = l.upper.node + ' ' + l.lower.node; pairs[k] = (pairs[k] || 0) + 1; });
    v.links.forEach(function (l) {
      var a = pos[l.upper.node], b = pos[l.lower.node];
      if (!a || !b) return;
      var k = l.upper.node + ' ' + l.lower.node;
      var nth = seen[k] = (seen[k] || 0) + 1;
      var shift = (nth - (pairs[k] + 1) / 2) * 8;
      var ax = a.x + shift, ay = a.y + NODE_H / 2, bx = b.x + shift, by = b.y - NODE_H / 2;
      var mx = (ax + bx) / 2, my = (ay + by) / 2;
      var g = el('g', {
        'class': 'link', 'data-link': l.upper.node + '--' + l.lower.node, 'data-index': l.index,
        'data-upper': l.upper.node, 'data-lower': l.lower.node, 'data-state': l.state
      }, linkLayer);
      if (l.state !== 'up') raise.push(g);
      el('title', {}, g).textContent = l.upper.node + ' ' + l.upper.ifname + ': ' + l.upper.state +
        ' / ' + l.lower.node + ' ' + l.lower.ifname + ': ' + l.lower.state;
      el('line', { 'class': 'end', 'data-node': l.upper.node, 'data-ifname': l.upper.ifname,
        'data-state': l.upper.state, x1: ax, y1: ay, x2: mx, y2: my }, g);
      el('line', { 'class': 'end', 'data-node': l.lower.node, 'data-ifname': l.lower.ifname,
        'data-state': l.lower.state, x1: mx, y1: my, x2: bx, y2: by }, g);
    });
    // Links that are not up are drawn last, on top, so the red is never hidden.
    raise.forEach(function (g) { linkLayer.appendChild(g); });
    v.nodes.forEach(function (n) {
      var p = pos[n.name];
      var a = el('a', { href: '#switch-' + n.name }, svg);
      var g = el('g', { 'class': 'node', 'data-node': n.name, 'data-daemon': String(n.daemon) }, a);
      el('title', {}, g).textContent = n.name + ' ' + colonHex(n.localId) + (n.daemon ? '' : ' (daemon not answering)');
      el('rect', { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2, width: NODE_W, height: NODE_H }, g);
      el('text', { x: p.x, y: p.y }, g).textContent = n.name;
    });
  }

  var COLUMNS = ['Interface', 'Peer', 'Peer MAC', 'Peer ID', 'Session', 'Type', 'Prefix', 'Flags', 'Labels', 'Heard'];

  function drawTables(v) {
    var alive = {};
    v.nodes.forEach(function (n) { alive[n.name] = n.daemon; });
    var html = v.switches.map(function (s) {
      var title = s.node ? esc(s.node) : 'switch';
      var dead = s.node && !alive[s.node] ? '<span class="dead">daemon not answering</span>' : '';
      var last = null;
      var rows = s.rows.map(function (r) {
        // The session's cells only on the first row of its interface: the rest are its prefixes.
        var first = r.ifname + ' ' + r.peerMac !== last;
        last = r.ifname + ' ' + r.peerMac;
        var state = r.state ? '<span class="state ' + esc(r.state) + '">' + esc(r.state) + '</span>' : '';
        var session = first
          ? '<td>' + esc(r.ifname) + '</td><td>' + esc(r.peerNode || '') + '</td>' +
            '<td class="mono">' + esc(r.peerMac) + '</td><td class="mono">' + esc(colonHex(r.peerId)) + '</td>' +
            '<td>' + state + '</td>'
          : '<td></td><td></td><td></td><td></td><td></td>';
        return '<tr class="' + (first ? 'first' : 'more') + '" data-ifname="' + esc(r.ifname) +
          '" data-state="' + esc(r.state || '') + '">' + session + '<td>' + esc(r.type || '') + '</td>' +
          '<td class="mono">' + esc(r.prefix || '') + '</td><td>' + esc(r.flags) + '</td>' +
          '<td class="mono">' + esc(r.labels) + '</td>' +
          '<td class="heard" data-heard="' + esc(r.heard || '') + '" data-from="' + esc(r.heardFrom || '') +
          '" title="' + (r.heardFrom === 'report' ? 'time of the last report (no session known)' : 'last PDU from the peer') +
          '">' + esc(heardText(r.heard, r.heardFrom)) + '</td></tr>';
      }).join('');
      return '<section class="switch" id="switch-' + esc(s.node || s.id) + '" data-node="' + esc(s.node || '') +
        '" data-id="' + esc(s.id) + '"><h2>' + title + '<span class="id">' + esc(colonHex(s.id)) + '</span>' + dead +
        '</h2><table><thead><tr>' + COLUMNS.map(function (c) { return '<th>' + c + '</th>'; }).join('') +
        '</tr></thead><tbody>' + rows + '</tbody></table></section>';
    }).join('');
    document.getElementById('switches').innerHTML = html;
  }

  function draw(v) {
    view = v;
    document.getElementById('lab-name').textContent = v.lab;
    document.title = 'LSOE lab ' + v.lab;
    var up = v.links.filter(function (l) { return l.state === 'up'; }).length;
    document.getElementById('summary').textContent =
      v.nodes.length + ' switches, ' + v.links.length + ' links, ' + up + ' up';
    drawFabric(v);
    drawTables(v);
  }

  setInterval(function () {
    var cells = document.querySelectorAll('td.heard');
    for (var i = 0; i < cells.length; i++) {
      cells[i].textContent = heardText(cells[i].getAttribute('data-heard'), cells[i].getAttribute('data-from'));
    }
  }, 1000);

  var live = document.getElementById('live');
  var source = new EventSource('events');
  source.onopen = function () { live.textContent = 'live'; live.className = 'live'; };
  source.onerror = function () { live.textContent = 'reconnecting'; live.className = 'live off'; };
  source.onmessage = function (e) { draw(JSON.parse(e.data)); };
})();
`;
