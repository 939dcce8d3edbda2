// breakwater: fills a scan's result page in live from its server-sent events. The page works
// without this file: it then reloads itself until the scan is over.
(function () {
  'use strict';

  var root = document.getElementById('scan');
  if (!root || root.getAttribute('data-phase') !== 'running' || !window.EventSource) return;
  var single = root.getAttribute('data-mode') === 'single';
  var words = { open: 'open', closed: 'closed', stealth: 'stealth' };
  var seen = {};  // port -> state, so replayed events are counted once
  var listed = {};  // ports already in the list of ports that answered
  var pendingRender = false;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = String(value);
  }

  function number(id) {
    var el = document.getElementById(id);
    return el ? Number(el.textContent) || 0 : 0;
  }

  // What the server already rendered. Past events are sent again on connect: counts never go
  // below the rendered ones, and nothing is listed twice.
  var initial = { open: number('n-open'), closed: number('n-closed'), stealth: number('n-stealth'),
    decided: number('decided') };
  Array.prototype.forEach.call(document.querySelectorAll('#grid a.c[id^="p"]'), function (cell) {
    var m = cell.className.match(/st-(open|closed|stealth)/);
    if (m) seen[cell.id.slice(1)] = m[1];
  });
  Array.prototype.forEach.call(document.querySelectorAll('#answered li a'), function (a) {
    listed[a.getAttribute('href').replace('/port/', '')] = true;
  });

  function setState(el, state) {
    el.classList.remove('st-open', 'st-closed', 'st-stealth', 'st-pending');
    el.classList.add('st-' + state);
  }

  // Counts and progress from what has arrived, redrawn at most once per frame.
  function render() {
    pendingRender = false;
    var n = { open: 0, closed: 0, stealth: 0 };
    var decided = 0;
    Object.keys(seen).forEach(function (p) { n[seen[p]]++; decided++; });
    var total = Number(root.getAttribute('data-total')) || 0;
    decided = Math.max(decided, initial.decided);
    text('n-open', Math.max(n.open, initial.open));
    text('n-closed', Math.max(n.closed, initial.closed));
    text('n-stealth', Math.max(n.stealth, initial.stealth));
    text('n-pending', Math.max(0, total - decided));
    text('decided', decided);
    var bar = document.getElementById('bar');
    if (bar) bar.value = decided;
  }

  // A 256-port block (full-range grid): the worst state in it so far.
  function updateBlock(port) {
    var block = document.getElementById('b' + Math.floor(port / 256));
    if (!block) return;
    var lo = Math.floor(port / 256) * 256;
    var c = { open: 0, closed: 0, stealth: 0 };
    for (var p = lo; p < lo + 256; p++) if (seen[p]) c[seen[p]]++;
    var done = c.open + c.closed + c.stealth;
    var size = Number(block.getAttribute('data-n')) || 256;
    setState(block, c.open ? 'open' : c.closed ? 'closed' : done >= size ? 'stealth' : 'pending');
    block.title = 'Ports ' + lo + '-' + (lo + 255) + ': ' + c.open + ' open, ' + c.closed +
      ' closed, ' + c.stealth + ' stealth, ' + (size - done) + ' not yet tested';
  }

  function addAnswered(v) {
    var list = document.getElementById('answered');
    if (!list || v.state === 'stealth' || listed[v.port]) return;
    listed[v.port] = true;
    var item = document.createElement('li');
    item.className = 'st-' + v.state;
    var link = document.createElement('a');
    link.href = '/port/' + v.port;
    link.textContent = 'Port ' + v.port;
    var strong = document.createElement('strong');
    strong.textContent = words[v.state] || v.state;
    item.appendChild(link);
    item.appendChild(document.createTextNode(': '));
    item.appendChild(strong);
    item.appendChild(document.createTextNode(' (' + v.reason + ')'));
    list.appendChild(item);
    var none = document.getElementById('answered-none');
    if (none) none.hidden = true;
  }

  function onVerdict(event) {
    var v;
    try { v = JSON.parse(event.data); } catch (e) { return; }
    if (typeof v.port !== 'number' || !words[v.state]) return;
    if (single) return;
    if (seen[v.port]) return;
    seen[v.port] = v.state;
    addAnswered(v);
    var cell = document.getElementById('p' + v.port);
    if (cell) {
      setState(cell, v.state);
      cell.title = 'Port ' + v.port + ': ' + words[v.state];
    } else {
      updateBlock(v.port);
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
