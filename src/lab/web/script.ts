// The page's script (see page.ts): follows /events and updates the fabric and
// the tables from each LabView it receives, from each "change" event (the parts of
// the view that changed: ../view-change.ts; laid over the view it has, as applyChange
// does) and from each "heard" event (only the heard times): in place when only states changed
// (attributes of the drawn links and nodes; only the switch sections whose
// content changed), redrawn when the fabric itself changed. Layers wider than
// MAX_PER_ROW wrap onto more rows, so a 32-leaf fabric fits the window; switch
// tables are collapsed to a one-line summary (details on click) once the lab
// has more than OPEN_UP_TO switches, and a collapsed table's rows are not built
// at all (built on open, dropped on close). Plain ES2017 for any browser.
// Written without backquotes or dollar-brace: it sits in a String.raw literal.
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var NODE_W = 96, NODE_H = 32, COL_W = 116, ROW_H = 170, WRAP_H = 60, TOP = 40;
  var MAX_PER_ROW = 16, OPEN_UP_TO = 12;
  // every EndState (../status.ts), best first
  var STATES = ['open', 'opening', 'hopeless', 'held-down', 'down'];
  var view = null;
  var drawnShape = null, linkEls = {}, nodeEls = {};
  var drawnHead = {}, drawnTable = {}, latest = {}, openState = {}, drawnOrder = null;

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

  function linkKey(l) { return l.upper.node + ' ' + l.upper.ifname + ' ' + l.lower.node + ' ' + l.lower.ifname; }
  function linkTitle(l) {
    return l.upper.node + ' ' + l.upper.ifname + ': ' + l.upper.state + ' / ' + l.lower.node + ' ' + l.lower.ifname + ': ' + l.lower.state;
  }

  // With --bgp: a link's badge says whether BGP-LS has both its halves; a switch shows its session with gobgpd.
  function bgpOfLink(v, l) { return v.bgp ? v.bgp.links[l.index] || 'none' : null; }
  var BGP_TITLE = { paired: 'in BGP-LS: both halves announced', half: 'in BGP-LS: one half only', none: 'not in BGP-LS' };
  function bgpOfNode(v, n) { return v.bgp ? v.bgp.nodes[n.name] || { state: 'none', accepted: 0, dumped: 0 } : null; }
  function nodeBgpText(b) { return b.state === 'established' ? 'BGP up ' + b.accepted : 'BGP ' + b.state; }
  function setBadge(d, v, l) {
    if (!d.badge) return;
    var b = bgpOfLink(v, l);
    if (d.badge.getAttribute('data-bgp') === b) return;
    d.badge.setAttribute('data-bgp', b);
    d.badgeTitle.textContent = BGP_TITLE[b];
  }
  function setNodeBgp(g, v, n) {
    var b = bgpOfNode(v, n), t = g.querySelector('text.bgp-state');
    if (!b || !t) return;
    if (t.getAttribute('data-bgp-state') !== b.state) t.setAttribute('data-bgp-state', b.state);
    var text = nodeBgpText(b);
    if (t.textContent !== text) t.textContent = text;
  }

  // Only the states changed: set them on what is drawn (no element is created).
  function updateFabric(v) {
    v.links.forEach(function (l) {
      var d = linkEls[linkKey(l)];
      if (d) setBadge(d, v, l);
      if (!d || d.g.getAttribute('data-state') === l.state && d.up.getAttribute('data-state') === l.upper.state &&
          d.low.getAttribute('data-state') === l.lower.state) return;
      d.g.setAttribute('data-state', l.state);
      d.up.setAttribute('data-state', l.upper.state);
      d.low.setAttribute('data-state', l.lower.state);
      d.title.textContent = linkTitle(l);
      // links that are not up go on top, so the red is never hidden
      if (l.state !== 'up') d.g.parentNode.appendChild(d.g);
    });
    v.nodes.forEach(function (n) {
      var g = nodeEls[n.name];
      if (g && g.getAttribute('data-daemon') !== String(n.daemon)) g.setAttribute('data-daemon', String(n.daemon));
      if (g) setNodeBgp(g, v, n);
    });
  }

  function drawFabric(v) {
    var shape = v.nodes.map(function (n) { return n.name + '/' + n.layer; }).join(',') + '|' + v.links.map(linkKey).join(',') + '|' + !!v.bgp;
    if (shape === drawnShape) return updateFabric(v);
    drawnShape = shape;
    linkEls = {};
    nodeEls = {};
    var svg = document.getElementById('fabric');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var layers = [];
    v.nodes.forEach(function (n) { (layers[n.layer] = layers[n.layer] || []).push(n); });
    layers = layers.filter(Boolean);
    // A layer wider than MAX_PER_ROW wraps onto rows WRAP_H apart, offset so links stay visible.
    var rows = [];
    layers.forEach(function (layer, li) {
      for (var i = 0; i < layer.length; i += MAX_PER_ROW) rows.push({ nodes: layer.slice(i, i + MAX_PER_ROW), layer: li, wrap: i > 0 });
    });
    var widest = Math.max.apply(null, rows.map(function (r) { return r.nodes.length; }).concat([1]));
    var width = widest * COL_W, y = TOP, pos = {};
    rows.forEach(function (r, ri) {
      if (ri > 0) y += r.wrap ? WRAP_H : ROW_H;
      r.nodes.forEach(function (n, i) {
        pos[n.name] = { x: width * (i + 0.5) / r.nodes.length, y: y };
      });
    });
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (y + TOP));
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
      var title = el('title', {}, g);
      title.textContent = linkTitle(l);
      var up = el('line', { 'class': 'end', 'data-node': l.upper.node, 'data-ifname': l.upper.ifname,
        'data-state': l.upper.state, x1: ax, y1: ay, x2: mx, y2: my }, g);
      var low = el('line', { 'class': 'end', 'data-node': l.lower.node, 'data-ifname': l.lower.ifname,
        'data-state': l.lower.state, x1: mx, y1: my, x2: bx, y2: by }, g);
      var d = { g: g, up: up, low: low, title: title, badge: null, badgeTitle: null };
      if (v.bgp) {
        d.badge = el('circle', { 'class': 'bgp', cx: mx, cy: my, r: 5 }, g);
        d.badgeTitle = el('title', {}, d.badge);
        setBadge(d, v, l);
      }
      linkEls[linkKey(l)] = d;
    });
    // Links that are not up are drawn last, on top, so the red is never hidden.
    raise.forEach(function (g) { linkLayer.appendChild(g); });
    v.nodes.forEach(function (n) {
      var p = pos[n.name];
      var a = el('a', { href: '#switch-' + n.name }, svg);
      var g = el('g', { 'class': 'node', 'data-node': n.name, 'data-daemon': String(n.daemon) }, a);
      nodeEls[n.name] = g;
      el('title', {}, g).textContent = n.name + ' ' + colonHex(n.localId) + (n.daemon ? '' : ' (daemon not answering)');
      el('rect', { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2, width: NODE_W, height: NODE_H }, g);
      el('text', { x: p.x, y: p.y }, g).textContent = n.name;
      if (v.bgp) {
        el('text', { 'class': 'bgp-state', x: p.x, y: p.y + NODE_H / 2 + 11 }, g);
        setNodeBgp(g, v, n);
      }
    });
  }

  var COLUMNS = ['Interface', 'Peer', 'Peer MAC', 'Peer ID', 'Session', 'Type', 'Prefix', 'Flags', 'Labels', 'Heard'];

  // One line that says how a switch is doing, shown while its table is collapsed.
  function summaryText(s) {
    var seen = {}, counts = {}, n = 0;
    s.rows.forEach(function (r) {
      var k = r.ifname + ' ' + r.peerMac;
      if (seen[k] || !r.state) return;
      seen[k] = true;
      n++;
      counts[r.state] = (counts[r.state] || 0) + 1;
    });
    var parts = STATES.filter(function (k) { return counts[k] > 0; }).map(function (k) {
      return '<span class="state ' + k + '">' + counts[k] + ' ' + k + '</span>';
    });
    return n + ' session' + (n === 1 ? '' : 's') + (parts.length ? ': ' + parts.join(' ') : '');
  }

  // A switch's heading: name, ID, daemon and BGP state, and its summary line.
  function headHtml(v, s, alive) {
    var title = s.node ? esc(s.node) : 'switch';
    var dead = s.node && !alive[s.node] ? '<span class="dead">daemon not answering</span>' : '';
    var nb = s.node && v.bgp ? v.bgp.nodes[s.node] : null;
    if (nb) {
      dead += '<span class="bgp-session" data-bgp-state="' + esc(nb.state) + '" title="its BGP session with the lab\'s gobgpd: NLRI accepted by gobgpd / held in its dump">BGP ' +
        esc(nb.state) + (nb.state === 'established' ? ', ' + nb.accepted + ' NLRI' + (nb.dumped !== nb.accepted ? ' (dump ' + nb.dumped + ')' : '') : '') + '</span>';
    }
    return '<h2>' + title + '<span class="id">' + esc(colonHex(s.id)) + '</span>' + dead +
      '</h2><span class="counts">' + summaryText(s) + '</span>';
  }

  function tableHtml(s) {
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
        '<td class="heard" data-from="' + esc(r.heardFrom || '') + '" title="' + (r.heardFrom === 'report' ? 'time of the last report (no session known)' : 'last PDU from the peer') +
        '"></td></tr>';
    }).join('');
    return '<table><thead><tr>' + COLUMNS.map(function (c) { return '<th>' + c + '</th>'; }).join('') +
      '</tr></thead><tbody>' + rows + '</tbody></table>';
  }

  // Per switch: the summary line is kept current; the table exists only while the switch
  // is open (a 40-switch lab has ~2,000 rows: building them all, and setting every heard
  // time on each event, cost ~0.4 s an event). Each is rewritten only when its content
  // changed; the heard times are set on their cells apart from it (they move with every
  // keepalive).
  function drawTables(v) {
    var alive = {};
    v.nodes.forEach(function (n) { alive[n.name] = n.daemon; });
    var container = document.getElementById('switches');
    var order = v.switches.map(function (s) { return s.node || s.id; }).join(',');
    if (order !== drawnOrder) { drawnOrder = order; drawnHead = {}; drawnTable = {}; container.innerHTML = ''; }
    var openByDefault = v.switches.length <= OPEN_UP_TO;
    v.switches.forEach(function (s) {
      var key = s.node || s.id;
      latest[key] = s;
      var section = document.getElementById('switch-' + key);
      if (!section) section = newSection(container, s, key, key in openState ? openState[key] : openByDefault);
      var head = headHtml(v, s, alive);
      if (drawnHead[key] !== head) {
        drawnHead[key] = head;
        section.querySelector('summary').innerHTML = head;
      }
      if (section.firstChild.open) fillTable(section, key);
    });
  }

  function newSection(container, s, key, open) {
    var section = document.createElement('section');
    section.className = 'switch';
    section.id = 'switch-' + key;
    section.setAttribute('data-node', s.node || '');
    section.setAttribute('data-id', s.id);
    section.innerHTML = '<details' + (open ? ' open' : '') + '><summary></summary><div class="rows"></div></details>';
    container.appendChild(section);
    var details = section.firstChild;
    details.addEventListener('toggle', function () {
      openState[key] = details.open;
      if (details.open) return fillTable(section, key);
      // closed: its rows go, so a big lab keeps only the open tables in the page
      section.querySelector('.rows').innerHTML = '';
      drawnTable[key] = '';
    });
    return section;
  }

  function fillTable(section, key) {
    var s = latest[key], body = section.querySelector('.rows');
    var html = tableHtml(s);
    if (drawnTable[key] !== html) {
      drawnTable[key] = html;
      body.innerHTML = html;
    }
    setHeard(body, s.rows.map(function (r) { return r.heard || ''; }));
  }

  function setHeard(root, heard) {
    var cells = root.querySelectorAll('td.heard');
    for (var i = 0; i < cells.length; i++) {
      if (cells[i].getAttribute('data-heard') === heard[i]) continue;
      cells[i].setAttribute('data-heard', heard[i]);
      cells[i].textContent = heardText(heard[i], cells[i].getAttribute('data-from'));
    }
  }

  // A "heard" event: every row's heard time, per switch in the view's order (see splitHeard
  // in ../view.ts). Kept in the view (a table opened later shows them) and set on open tables.
  function setHeardTimes(times) {
    if (!view || times.length !== view.switches.length) return;
    view.switches.forEach(function (s, i) {
      if (!times[i] || times[i].length !== s.rows.length) return;
      s.rows.forEach(function (r, j) { r.heard = times[i][j]; });
      var section = document.getElementById('switch-' + (s.node || s.id));
      if (section && section.firstChild.open) setHeard(section.querySelector('.rows'), times[i].map(function (h) { return h || ''; }));
    });
  }

  // The "heard" cells carry their time as an attribute (set by setHeard, so a table's
  // HTML only changes when its content does) and say how long ago here, once a second.
  function fillHeard(root) {
    var cells = root.querySelectorAll('td.heard');
    for (var i = 0; i < cells.length; i++) {
      cells[i].textContent = heardText(cells[i].getAttribute('data-heard'), cells[i].getAttribute('data-from'));
    }
  }

  // A click on a switch in the drawing opens its table.
  window.addEventListener('hashchange', function () {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var details = target && target.querySelector('details');
    if (details) details.open = true;
  });

  // Set only when different: an unchanged line is not rewritten on each event.
  function setText(e, text) { if (e.textContent !== text) e.textContent = text; }
  function setHidden(e, hidden) { if (e.hidden !== hidden) e.hidden = hidden; }

  function draw(v) {
    view = v;
    setText(document.getElementById('lab-name'), v.lab);
    if (document.title !== 'LSOE lab ' + v.lab) document.title = 'LSOE lab ' + v.lab;
    var up = v.links.filter(function (l) { return l.state === 'up'; }).length;
    var inBgp = v.bgp ? v.bgp.links.filter(function (b) { return b === 'paired'; }).length : 0;
    setText(document.getElementById('summary'),
      v.nodes.length + ' switches, ' + v.links.length + ' links, ' + up + ' up' + (v.bgp ? ', ' + inBgp + ' in BGP-LS' : ''));
    setHidden(document.getElementById('bgp-legend'), !v.bgp);
    var problem = document.getElementById('bgp-problem');
    setText(problem, v.bgp && v.bgp.problem ? v.bgp.problem : '');
    setHidden(problem, !(v.bgp && v.bgp.problem));
    drawFabric(v);
    drawTables(v);
  }

  setInterval(function () { fillHeard(document); }, 1000);

  var live = document.getElementById('live');
  var source = new EventSource('events');
  source.onopen = function () { live.textContent = 'live'; live.className = 'live'; };
  source.onerror = function () { live.textContent = 'reconnecting'; live.className = 'live off'; };
  source.onmessage = function (e) { draw(JSON.parse(e.data)); };
  // Some links, switches or tables changed: laid over the view, then drawn as a view is.
  source.addEventListener('change', function (e) {
    if (!view) return;
    var c = JSON.parse(e.data);
    c.links.forEach(function (p) { view.links[p[0]] = p[1]; });
    c.nodes.forEach(function (p) { view.nodes[p[0]] = p[1]; });
    c.switches.forEach(function (p) { view.switches[p[0]] = p[1]; });
    if ('bgp' in c) view.bgp = c.bgp;
    draw(view);
  });
  // Only the heard times moved (every keepalive does that): set them, in the open tables.
  source.addEventListener('heard', function (e) { setHeardTimes(JSON.parse(e.data)); });
})();
`;
