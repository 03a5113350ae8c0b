#!/usr/bin/env node
// validate.js: holds every response the API tests receive to the service's
// own OpenAPI document, so that a route that drifts from its contract fails
// the test that called it (tests/support/contract.c drives it).
//
//   node validate.js OPENAPI.json COUNTS_FILE
//   node validate.js OPENAPI.json --replay EXCHANGES.ndjson
//
// With CONTRACT_RECORD set, every exchange is appended to that file and
// answered "ok" whatever it holds (a recording to work from); --replay checks such a recording again and prints each distinct failure
// once (for working on the document without running the tests).
//
// Reads one exchange a line on stdin:
//   {"method", "path" (with its query), "status", "headers" (the raw
//    header block), "body" (text, or null when absent or not UTF-8)}
// and answers one line: "ok", or what the document does not allow:
//   - the status is not declared for the operation (no "default" or
//     "4XX" stands in for a code: every one is written out);
//   - the body's media type is not declared for that status, or a JSON
//     body is not valid against the schema (JSON Schema 2020-12, Ajv);
//   - a header the service sends is not declared for that response, or a
//     header declared required is missing.
// At the end of input it appends one JSON line of counts to COUNTS_FILE:
// {"validated": n, "operations": {"operationId status": n, ...}}.
'use strict';

const fs = require('fs');
const readline = require('readline');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

// Headers of the transport or of every response alike, which the document
// describes once (info.description) rather than on each response.
const GENERIC = new Set(['content-type', 'content-length', 'date',
  'connection', 'keep-alive', 'server', 'strict-transport-security',
  'x-content-type-options', 'content-security-policy', 'cache-control',
  'vary', 'transfer-encoding', 'x-request-id']);

const doc = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const countsFile = process.argv[3];
const ajv = new Ajv2020({strict: false, allErrors: true});
addFormats(ajv);
ajv.addSchema(doc, 'openapi');

const routes = Object.keys(doc.paths).map((template) => ({
  template,
  re: new RegExp('^' + template.replace(/[.]/g, '\\.')
    .replace(/\{[^}]+\}/g, '[^/]+') + '$'),
  literal: !template.includes('{'),
}));
// A literal path wins over a template that also matches it.
routes.sort((a, b) => Number(b.literal) - Number(a.literal));

const counts = {validated: 0, operations: {}};
const compiled = new Map();

function pointer(parts) {
  return 'openapi#/' + parts.map((p) => String(p).replace(/~/g, '~0')
    .replace(/\//g, '~1')).join('/');
}

function validator(parts) {
  const key = parts.join('\u0000');
  if (!compiled.has(key))
    compiled.set(key, ajv.compile({$ref: pointer(parts)}));
  return compiled.get(key);
}

function parseHeaders(raw) {
  // The last block: a 1xx answer comes before the final one.
  const blocks = raw.split(/\r\n\r\n/).filter((b) => b.startsWith('HTTP/'));
  const lines = (blocks.pop() || '').split('\r\n').slice(1);
  const h = new Map();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0)
      h.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return h;
}

function resolve(obj) {
  // A $ref inside the document ("#/components/...").
  while (obj && obj.$ref) {
    obj = obj.$ref.slice(2).split('/').reduce((o, p) =>
      o[p.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return obj;
}

function findOperation(method, path) {
  const m = method === 'HEAD' ? 'get' : method.toLowerCase();
  for (const r of routes) {
    if (r.re.test(path)) {
      const op = doc.paths[r.template][m];
      return {template: r.template, method: m, op};
    }
  }
  return null;
}

function checkProblem(x, h) {
  // An answer no operation gives (an unknown route, a method the path
  // does not take): still an RFC 9457 problem of the document's shape.
  const ct = (h.get('content-type') || '').split(';')[0].trim();
  if (ct !== 'application/problem+json')
    return `status ${x.status} outside any operation is not a problem document`;
  const v = validator(['components', 'schemas', 'Problem']);
  if (!v(JSON.parse(x.body)))
    return 'problem document: ' + ajv.errorsText(v.errors);
  return null;
}

const protocol = new Set(doc['x-protocol-problems'] || []);

function problemType(x, h) {
  const ct = (h.get('content-type') || '').split(';')[0].trim();
  if (ct !== 'application/problem+json' || x.body === null)
    return null;
  try {
    return JSON.parse(x.body).type;
  } catch (e) {
    return null;
  }
}

function check(x) {
  const path = x.path.split('?')[0];
  const h = parseHeaders(x.headers || '');
  const found = findOperation(x.method, path);
  // Refused by the HTTP layer before any operation (x-protocol-problems).
  if (!found || !found.op || protocol.has(problemType(x, h)))
    return checkProblem(x, h);
  const {template, method, op} = found;
  const name = `${op.operationId} ${x.status}`;
  counts.operations[name] = (counts.operations[name] || 0) + 1;
  const declared = op.responses[String(x.status)];
  if (!declared)
    return `${x.method} ${template}: status ${x.status} is not declared ` +
      `(declared: ${Object.keys(op.responses).join(', ')})`;
  const resp = resolve(declared);
  const where = `${x.method} ${template} ${x.status}`;
  const headers = resp.headers || {};
  const names = new Set(Object.keys(headers).map((n) => n.toLowerCase()));
  for (const n of h.keys())
    if (!GENERIC.has(n) && !names.has(n))
      return `${where}: header ${n} is not declared`;
  for (const [n, hd] of Object.entries(headers))
    if (resolve(hd).required && !h.has(n.toLowerCase()))
      return `${where}: required header ${n} is missing`;
  if (x.method === 'HEAD' || x.status === 204 || x.status === 304)
    return null;
  const ct = (h.get('content-type') || '').split(';')[0].trim();
  if (!ct)
    return resp.content ? `${where}: no Content-Type` : null;
  if (!resp.content || !resp.content[ct])
    return `${where}: media type ${ct} is not declared`;
  if (!/json$/.test(ct) || !resp.content[ct].schema)
    return null;
  if (x.body === null)
    return `${where}: a ${ct} body that is not UTF-8`;
  let body;
  try {
    body = JSON.parse(x.body);
  } catch (e) {
    return `${where}: the body is not JSON: ${e.message}`;
  }
  const parts = declared.$ref
    ? declared.$ref.slice(2).split('/')
    : ['paths', template, method, 'responses', String(x.status)];
  const v = validator([...parts.map((p) => p.replace(/~1/g, '/')
    .replace(/~0/g, '~')), 'content', ct, 'schema']);
  if (!v(body))
    return `${where}: ` + v.errors.slice(0, 5).map((e) =>
      `${e.instancePath || '/'} ${e.message}` +
      (e.params && e.params.additionalProperty
        ? ` (${e.params.additionalProperty})` : '') +
      (e.params && e.params.unevaluatedProperty
        ? ` (${e.params.unevaluatedProperty})` : '')).join('; ');
  return null;
}

function replay(file) {
  const seen = new Map();
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    let answer;
    try {
      answer = check(JSON.parse(line));
    } catch (e) {
      answer = 'validator: ' + e.message;
    }
    if (answer !== null)
      seen.set(answer, (seen.get(answer) || 0) + 1);
  }
  for (const [answer, n] of seen)
    console.log(`${n}\t${answer}`);
  console.log(`${lines.length} exchanges, ` +
    `${[...seen.values()].reduce((a, b) => a + b, 0)} failed`);
  process.exit(seen.size ? 1 : 0);
}

if (countsFile === '--replay')
  replay(process.argv[4]);
const record = process.env.CONTRACT_RECORD;
const rl = readline.createInterface({input: process.stdin, terminal: false});
rl.on('line', (line) => {
  let answer = null;
  try {
    if (record)
      fs.appendFileSync(record, line + '\n');
    else
      answer = check(JSON.parse(line));
  } catch (e) {
    answer = 'validator: ' + e.message;
  }
  counts.validated++;
  process.stdout.write(answer === null ? 'ok\n'
    : 'error: ' + answer.replace(/\n/g, ' ') + '\n');
});
rl.on('close', () => {
  if (countsFile)
    fs.appendFileSync(countsFile, JSON.stringify(counts) + '\n');
});
