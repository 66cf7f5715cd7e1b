#!/usr/bin/env node
// Generates src/protocol.ts from ../schemas/protocol/*.schema.json (the one source of truth for the
// custom protocol).   npm run gen-protocol                rewrite src/protocol.ts
//                     npm run gen-protocol -- --check     exit 1 if it differs
// Naming: a $def's `title` names its type, else <Request><Def> (flash/bundleSize + result →
// BundleSizeResult); notification flash/x has XParams and XNotification; command defs marked
// `x-implementedBy: client` go to ClientCommands, the other flash.* ones to ServerCommands.
// tests/test_protocol_schemas.py runs the check.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pascal = (s) => s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, c) => c.toUpperCase());
const camel = (s) => pascal(s).replace(/^./, (c) => c.toLowerCase());
const literal = (v) => (typeof v === 'string' ? `'${v.replace(/[\\']/g, '\\$&')}'` : String(v));

/** Turns one schema file's $defs into TypeScript declarations. */
class Emitter {
  constructor(schema, prefix) {
    this.defs = schema.$defs ?? {};
    this.prefix = prefix;
    this.out = [];
  }

  nameOf(key) {
    return this.defs[key].title ?? this.prefix + pascal(key);
  }

  type(s, indent) {
    if (s.$ref) return this.nameOf(s.$ref.replace('#/$defs/', ''));
    if (s.enum) return s.enum.map(literal).join(' | ');
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (!types.length) return 'unknown';
    return types.map((t) => this.scalar(t, s, indent)).join(' | ');
  }

  scalar(t, s, indent) {
    if (t === 'string' || t === 'boolean' || t === 'null') return t;
    if (t === 'integer' || t === 'number') return 'number';
    if (t === 'array') {
      const item = s.items ? this.type(s.items, indent) : 'unknown';
      return /[ |]/.test(item) ? `(${item})[]` : `${item}[]`;
    }
    if (!s.properties) return s === this.root ? 'object' : 'Record<string, unknown>';
    if (s.title) return this.declare(s.title, s);
    return `{\n${this.members(s, indent + '  ')}${indent}}`;
  }

  members(s, indent) {
    const required = new Set(s.required ?? []);
    return Object.entries(s.properties)
      .map(([key, prop]) => {
        const doc = prop.description ? `${indent}/** ${prop.description.replace(/\*\//g, '*\\/')} */\n` : '';
        return `${doc}${indent}${key}${required.has(key) ? '' : '?'}: ${this.type(prop, indent)};\n`;
      })
      .join('');
  }

  /** Declares an object schema as an interface (anything else as a type alias); returns its name. */
  declare(name, s) {
    if (this.out.some((d) => d.name === name)) return name;
    const entry = { name, text: '' };
    this.out.push(entry);
    const doc = s.description && !s.$ref ? `/** ${s.description.replace(/\*\//g, '*\\/')} */\n` : '';
    this.root = s;
    const object = s.properties && [s.type].flat().includes('object');
    entry.text = object
      ? `${doc}export interface ${name} {\n${this.members(s, '  ')}}\n`
      : `${doc}export type ${name} = ${this.type(s, '')};\n`;
    this.root = undefined;
    return name;
  }

  /** The declared name for def `key`, and whether its schema admits null (object | null results). */
  def(key) {
    const s = this.defs[key];
    const nullable = Array.isArray(s.type) && s.type.includes('null') && s.properties;
    return { name: this.declare(this.nameOf(key), s), nullable };
  }

  text() {
    return this.out.map((d) => d.text).join('\n');
  }
}

function section(title) {
  return `// ${'-'.repeat(64)} ${title}\n\n`;
}

export function generateProtocol(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort();
  const load = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  let ts =
    '// Request / notification types of the Flash LSP custom protocol.\n' +
    '// GENERATED from schemas/protocol/*.schema.json by scripts/gen-protocol.mjs: do not edit.\n' +
    "import { NotificationType, RequestType } from 'vscode-languageclient';\n\n" +
    'const request = <P, R>(method: string) => ({ method, type: new RequestType<P, R, void>(method) });\n' +
    'const notification = <P>(method: string) => ({ method, type: new NotificationType<P>(method) });\n\n';

  for (const f of files) {
    const schema = load(f);
    const request = /^(flash\/\w+) request$/.exec(schema.title ?? '');
    if (!request) continue;
    const method = request[1];
    const name = pascal(method.slice('flash/'.length));
    const em = new Emitter(schema, name);
    for (const key of Object.keys(em.defs)) if (em.defs[key].title) em.def(key);
    const params = em.def('params');
    const result = em.def('result');
    const resultType = result.nullable ? `${result.name} | null` : result.name;
    ts += section(method) + em.text() + '\n';
    ts += `export const ${name}Request = request<${params.name}, ${resultType}>('${method}');\n\n`;
  }

  const notifications = load('notifications.schema.json');
  ts += section('notifications (server → client)');
  for (const method of Object.keys(notifications.$defs)) {
    const name = pascal(method.slice('flash/'.length));
    const em = new Emitter(notifications, '');
    em.declare(`${name}Params`, notifications.$defs[method]);
    ts += em.text();
    ts += `export const ${name}Notification = notification<${name}Params>('${method}');\n\n`;
  }

  const commands = load('commands.schema.json');
  const em = new Emitter(commands, '');
  const server = [];
  const client = [];
  for (const [key, s] of Object.entries(commands.$defs)) {
    if (s.title) em.def(key);
    if (key.startsWith('flash.')) (s['x-implementedBy'] === 'client' ? client : server).push(key);
  }
  const table = (keys) => keys.map((k) => `  ${camel(k.slice('flash.'.length))}: '${k}',\n`).join('');
  ts += section('commands');
  ts += `/** Commands the server executes (workspace/executeCommand); one argument object each. */\n`;
  ts += `export const ServerCommands = {\n${table(server)}} as const;\n`;
  ts += 'export type ServerCommand = (typeof ServerCommands)[keyof typeof ServerCommands];\n\n';
  ts += '/** Commands the client implements; the server references them from CodeLens, hovers and quick fixes. */\n';
  ts += `export const ClientCommands = {\n${table(client)}} as const;\n\n`;
  ts += em.text();
  return ts;
}

function main(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const target = path.resolve(here, '../src/protocol.ts');
  const generated = generateProtocol(path.resolve(here, '../../schemas/protocol'));
  if (argv.includes('--check')) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== generated) {
      console.error('src/protocol.ts is out of date with schemas/protocol: run `npm run gen-protocol`');
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(target, generated);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main(process.argv.slice(2));
