// breakwater: fills a scan's result page in live from its server-sent events. The page works
// without this file: it then reloads itself until the scan is over. TCP and UDP verdicts go to
// their own grids, counts and lists: a cell is keyed by transport and port ("p53", "u53").
(function () {
  'use strict';

  var root = document.getElementById('scan');
  if (!root || root.getAttribute('data-phase') !== 'running' || !window.EventSource) return;
  var single = root.getAttribute('data-mode') === 'single';
  var WORDS = {
    tcp: { open: 'open', closed: 'closed', stealth: 'stealth' },
    // How a TCP port answered, as the server words it (site/page_scan_result.cpp).
    reason: { 'syn-ack': 'SYN-ACK', ack: 'ACK', rst: 'reset', 'icmp-unreachable': 'ICMP unreachable',
      'no-response': 'no answer' },
    udp: { open: 'open', closed: 'closed', filtered: 'filtered', stealth: 'no answer' },
  };
  var PREFIX = { tcp: { cell: 'p', block: 'b' }, udp: { cell: 'u', block: 'ub' } };
  var seen = { tcp: {}, udp: {} };    // port -> state, so replayed events are counted once
  var listed = { tcp: {}, udp: {} };  // ports already in the lists of ports that answered
  var pendingRender = false;
  // Past events come again on connect, so every port that answered gets listed here: the
  // server's count of those it left out no longer holds.
  Array.prototype.forEach.call(document.querySelectorAll('.answered-more'), function (more) {
    more.parentNode.removeChild(more);
  });
  var udpBlock = document.getElementById('udp');
  var findings = {};  // the findings table, in the server's words (site/udp_words)
  try {
    findings = JSON.parse(udpBlock ? udpBlock.getAttribute('data-findings') || '{}' : '{}');
  } catch (e) { findings = {}; }

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = String(value);
  }

  function number(id) {
    var el = document.getElementById(id);
    return el ? Number(el.textContent) || 0 : 0;
  }

  function el(tag, className, content) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (content !== undefined) e.textContent = content;
    return e;
  }

  // What the server already rendered. Past events are sent again on connect: counts never go
  // below the rendered ones, and nothing is listed twice.
  var initial = {
    tcp: { open: number('n-open'), closed: number('n-closed'), stealth: number('n-stealth') },
    udp: { open: number('nu-open'), closed: number('nu-closed'),
      filtered: number('nu-filtered'), stealth: number('nu-stealth') },
    decided: number('decided'),
  };
  ['tcp', 'udp'].forEach(function (t) {
    var grid = t === 'udp' ? '#grid-udp' : '#grid';
    var query = grid + ' a.c[id^="' + PREFIX[t].cell + '"]';
    Array.prototype.forEach.call(document.querySelectorAll(query), function (cell) {
      var m = cell.className.match(/st-(open|closed|filtered|stealth)/);
      if (m) seen[t][cell.id.slice(PREFIX[t].cell.length)] = m[1];
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('#answered li a'), function (a) {
    listed.tcp[a.getAttribute('href').replace('/port/', '')] = true;
  });
  Array.prototype.forEach.call(document.querySelectorAll('#answered-udp li, #udp-silent li'),
    function (li) { listed.udp[li.id.slice(2)] = true; });

  function setState(e, state) {
    e.classList.remove('st-open', 'st-closed', 'st-filtered', 'st-stealth', 'st-pending');
    e.classList.add('st-' + state);
  }

  function tally(t) {
    var n = { open: 0, closed: 0, filtered: 0, stealth: 0, all: 0 };
    Object.keys(seen[t]).forEach(function (p) { n[seen[t][p]]++; n.all++; });
    return n;
  }

  // Counts and progress from what has arrived, redrawn at most once per frame.
  function render() {
    pendingRender = false;
    var totals = { tcp: Number(root.getAttribute('data-tcp-total')) || 0,
      udp: Number(root.getAttribute('data-udp-total')) || 0 };
    var decided = 0;
    [['tcp', 'n-'], ['udp', 'nu-']].forEach(function (pair) {
      var t = pair[0], n = tally(t), done = 0;
      Object.keys(initial[t]).forEach(function (state) {
        var shown = Math.max(n[state], initial[t][state]);
        text(pair[1] + state, shown);
        done += shown;
      });
      text(pair[1] + 'pending', Math.max(0, totals[t] - done));
      decided += done;
    });
    decided = Math.max(decided, initial.decided);
    text('decided', decided);
    var bar = document.getElementById('bar');
    if (bar) bar.value = decided;
  }

  // A 256-port block (full-range grid): the worst state in it so far.
  function updateBlock(t, port) {
    var block = document.getElementById(PREFIX[t].block + Math.floor(port / 256));
    if (!block) return;
    var lo = Math.floor(port / 256) * 256;
    var c = { open: 0, closed: 0, filtered: 0, stealth: 0 };
    for (var p = lo; p < lo + 256; p++) if (seen[t][p]) c[seen[t][p]]++;
    var refused = c.closed + c.filtered;
    var done = c.open + refused + c.stealth;
    var size = Number(block.getAttribute('data-n')) || 256;
    setState(block, c.open ? 'open' : refused ? 'closed' : done >= size ? 'stealth' : 'pending');
    block.title = (t === 'udp' ? 'UDP ports ' : 'Ports ') + lo + '-' + (lo + 255) + ': ' +
      c.open + ' open, ' + refused + ' closed, ' + c.stealth + ' ' + WORDS[t].stealth + ', ' +
      (size - done) + ' not yet tested';
  }

  function addAnswered(v) {
    var list = document.getElementById('answered');
    if (!list || v.state === 'stealth' || listed.tcp[v.port]) return;
    listed.tcp[v.port] = true;
    var item = el('li', 'st-' + v.state);
    var link = el('a', '', 'Port ' + v.port);
    link.href = '/port/' + v.port;
    item.appendChild(link);
    item.appendChild(document.createTextNode(': '));
    item.appendChild(el('strong', '', WORDS.tcp[v.state] || v.state));
    item.appendChild(document.createTextNode(' (' + (WORDS.reason[v.reason] || v.reason) + ')'));
    list.appendChild(item);
    var none = document.getElementById('answered-none');
    if (none) none.hidden = true;
  }

  // "x41", "x1.6": as the server says it (site/udp_words).
  function amplificationText(a) {
    a = Number(a) || 0;
    if (a >= 9.95) return 'x' + Math.round(a);
    return 'x' + a.toFixed(1).replace(/\.0$/, '');
  }

  // "ICMP admin prohibited (from 198.18.0.254)".
  function icmpText(v) {
    if (!v.icmp || typeof v.icmp.name !== 'string') return 'ICMP error';
    var out = 'ICMP ' + v.icmp.name.replace(/-/g, ' ');
    if (typeof v.icmp.from === 'string') out += ' (from ' + v.icmp.from + ')';
    return out;
  }

  // "UDP 53 DNS", linking the port's page; the name comes from the grid cell.
  function udpLabel(item, port) {
    var link = el('a', '', 'UDP ' + port);
    link.href = '/port/' + port;
    item.appendChild(link);
    var cell = document.getElementById('u' + port);
    var name = cell ? cell.getAttribute('data-name') : '';
    if (name) item.appendChild(document.createTextNode(' ' + name));
  }

  // An open UDP port's answer: the finding (the same sentence the server writes at the end),
  // the summary, the sizes and the answer's bytes, always as text.
  function udpDetail(v) {
    var box = el('div', 'udp-detail');
    var f = typeof v.finding === 'string' ? findings[v.finding] : null;
    if (f) {
      var p = el('p', 'udp-finding' + (f.reflector ? ' danger' : ''));
      p.appendChild(el('strong', '', 'Your address ' + f.headline + (f.reflector
        ? ': it can be used to attack others (amplification ' +
          amplificationText(v.amplification) + ')' : '') + '.'));
      p.appendChild(document.createTextNode(' ' + f.advice));
      box.appendChild(p);
    }
    if (v.summary) box.appendChild(el('p', 'udp-summary', String(v.summary)));
    var n = Number(v.datagrams) || 0;
    box.appendChild(el('p', 'muted udp-bytes', 'Asked in ' + String(v.protocol) + ': ' +
      Number(v.bytes_out || 0) + ' bytes sent, ' + Number(v.bytes_in || 0) + ' bytes back in ' +
      n + ' datagram' + (n === 1 ? '' : 's') + ': amplification ' +
      amplificationText(v.amplification) + '.'));
    if (typeof v.text === 'string' && v.text) box.appendChild(el('pre', 'udp-text', v.text));
    return box;
  }

  function addUdp(v) {
    if (listed.udp[v.port]) return;
    if (v.state === 'stealth') {
      var silent = document.getElementById('udp-silent');
      if (!silent || typeof v.silence !== 'string' || !v.silence) return;
      listed.udp[v.port] = true;
      var s = el('li');
      s.id = 'us' + v.port;
      udpLabel(s, v.port);
      s.appendChild(document.createTextNode(': '));
      s.appendChild(el('strong', '', 'no answer'));
      s.appendChild(document.createTextNode('. ' + v.silence + ' '));
      var reach = el('a', '', 'Run the reachability check');
      reach.href = '/reach';
      s.appendChild(reach);
      silent.appendChild(s);
      silent.hidden = false;
      return;
    }
    var list = document.getElementById('answered-udp');
    if (!list) return;
    listed.udp[v.port] = true;
    var item = el('li', 'st-' + v.state);
    item.id = 'ua' + v.port;
    udpLabel(item, v.port);
    item.appendChild(document.createTextNode(': '));
    item.appendChild(el('strong', '', WORDS.udp[v.state]));
    var why = v.state === 'open' ? 'answered' : icmpText(v);
    if (typeof v.rtt_ms === 'number') why += ', ' + v.rtt_ms.toFixed(1) + ' ms';
    item.appendChild(document.createTextNode(' (' + why + ')'));
    if (v.state === 'open') item.appendChild(udpDetail(v));
    // Open ports first, as the server lists them.
    var before = v.state === 'open' ? list.querySelector('li:not(.st-open)') : null;
    list.insertBefore(item, before);
    var none = document.getElementById('answered-udp-none');
    if (none) none.hidden = true;
  }

  function onVerdict(event) {
    var v;
    try { v = JSON.parse(event.data); } catch (e) { return; }
    var t = v.transport === 'udp' ? 'udp' : 'tcp';
    if (typeof v.port !== 'number' || !WORDS[t][v.state]) return;
    if (single) return;
    if (seen[t][v.port]) return;
    seen[t][v.port] = v.state;
    if (t === 'udp') addUdp(v); else addAnswered(v);
    var cell = document.getElementById(PREFIX[t].cell + v.port);
    if (cell) {
      setState(cell, v.state);
      var name = cell.getAttribute('data-name');
      cell.title = (t === 'udp' ? 'UDP port ' : 'Port ') + v.port + (name ? ' (' + name + ')' : '') +
        ': ' + WORDS[t][v.state];
    } else {
      updateBlock(t, v.port);
    }
    if (!pendingRender) {
      pendingRender = true;
      window.requestAnimationFrame(render);
    }
  }

  var source = new EventSource(root.getAttribute('data-events'));
  source.addEventListener('verdict', onVerdict);
  // The verdict, ping and UPnP findings are written by the server: reload for them.
  source.addEventListener('done', function () {
    source.close();
    window.location.reload();
  });
  source.onerror = function () {
    // The browser retries on its own (resuming with Last-Event-ID); if it gave up, fall
    // back to reloading like the page does without JavaScript.
    if (source.readyState === EventSource.CLOSED) {
      window.setTimeout(function () { window.location.reload(); }, 3000);
    }
  };
})();
