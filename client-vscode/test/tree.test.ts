import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointsResult } from '../src/protocol';
import { buildTree, endpointDescription, formatBytes, toTreeItem, REVEAL_COMMAND } from '../src/tree';

const loc = (uri: string, line: number) => ({ uri, range: { start: { line, character: 0 }, end: { line, character: 10 } } });
const P = 'file:///work/hello';

const RESULT: EndpointsResult = {
  projects: [
    {
      uri: P,
      name: 'hello',
      profile: 'tetra-0.24',
      succeeds: true,
      errors: [],
      archiveBytes: 13_000_000,
      endpoints: [
        {
          name: 'hello_gpu', resourceType: 'LiveServerless', compute: 'GPU', loadBalanced: false, live: true,
          handlerFile: 'handler_hello_gpu.py', sizeBytes: 12_345_678, location: loc(`${P}/workers/gpu/endpoint.py`, 2),
          functions: [
            { name: 'generate', kind: 'async', module: 'workers.gpu.endpoint', location: loc(`${P}/workers/gpu/endpoint.py`, 10) },
            { name: 'Embedder', kind: 'class', module: 'workers.gpu.endpoint', location: loc(`${P}/workers/gpu/endpoint.py`, 17) },
          ],
        },
        {
          name: 'hello_api', resourceType: 'CpuLiveLoadBalancer', compute: 'CPU', loadBalanced: true, live: true,
          handlerFile: 'handler_hello_api.py', sizeBytes: null,
          functions: [{ name: 'health', kind: 'function', route: 'GET /health', location: loc(`${P}/workers/api/endpoint.py`, 5) }],
        },
      ],
    },
    { uri: 'file:///work/broken', name: 'broken', profile: 'tetra-0.24', succeeds: false, errors: ['no main.py'], endpoints: [] },
  ],
};

describe('tree model from flash/endpoints', () => {
  const roots = buildTree(RESULT);
  test('projects → endpoints → functions', () => {
    assert.deepEqual(roots.map((r) => r.label), ['hello', 'broken']);
    assert.deepEqual(roots[0].children.map((c) => c.label), ['hello_gpu', 'hello_api']);
    assert.deepEqual(roots[0].children[0].children.map((c) => c.label), ['generate', 'Embedder']);
    assert.equal(roots[0].description, 'tetra-0.24 · 2 endpoint(s) · 3 function(s)');
  });
  test("the build's outcome: fails, or unknown while pip's verdict is not known", () => {
    assert.match(roots[1].description ?? '', / · build fails$/);
    const unknown = buildTree({
      projects: [{ ...RESULT.projects[0], succeeds: null, warnings: ['Unknown: whether pip installs the requirements is not known yet (offline)'] }],
    })[0];
    assert.match(unknown.description ?? '', / · build outcome unknown$/);
    assert.equal(unknown.icon, 'question');
    assert.match(String(unknown.tooltip), /Unknown: whether pip installs/);
  });
  test('the build outcome is uncertain when a request at import decides it', () => {
    const message = 'the build may stop with Failed to load: config_fetch.py if a network request (urllib.request.urlopen(...)) at config_fetch.py:3 fails';
    const uncertain = buildTree({
      projects: [{
        ...RESULT.projects[0],
        succeeds: null,
        warnings: [`Uncertain: ${message}`],
        uncertain: [{ file: 'config_fetch.py', line: 3, effect: 'a network request (urllib.request.urlopen(...))', fails: ['config_fetch.py'], message }],
      }],
    })[0];
    assert.match(uncertain.description ?? '', / · build outcome uncertain$/);
    assert.equal(uncertain.icon, 'question');
    assert.match(String(uncertain.tooltip), /Uncertain: the build may stop with Failed to load: config_fetch\.py/);
  });
  test('endpoint shows type, GPU/CPU, LB/QB and predicted size', () => {
    assert.equal(roots[0].children[0].description, 'LiveServerless · GPU · QB · live · 11.8 MB');
    assert.equal(roots[0].children[1].description, 'CpuLiveLoadBalancer · CPU · LB · live');
    assert.equal(endpointDescription({ ...RESULT.projects[0].endpoints[0], mothership: true, live: false, sizeBytes: undefined }), 'LiveServerless · GPU · QB · mothership');
  });
  test('functions: route for LB, kind otherwise; click reveals the code', () => {
    const [gen, cls] = roots[0].children[0].children;
    assert.equal(gen.description, 'async def');
    assert.equal(cls.icon, 'symbol-class');
    assert.equal(roots[0].children[1].children[0].description, 'GET /health');
    const item = toTreeItem(gen);
    assert.equal(item.command?.command, REVEAL_COMMAND);
    assert.deepEqual(item.command?.arguments, [gen.location]);
    assert.equal(item.contextValue, 'function');
  });
  test('tooltips: the archive figure (the status bar\'s) on the project and each endpoint, and what an endpoint needs alone', () => {
    assert.match(String(roots[0].tooltip), /predicted archive: 12\.4 MB/);
    const ep = String(roots[0].children[0].tooltip);
    assert.match(ep, /predicted archive \(all endpoints\): 12\.4 MB/);
    assert.match(ep, /this endpoint alone: 11\.8 MB/);
    assert.doesNotMatch(String(roots[1].tooltip), /archive/);
  });
  test('tooltips name the directories that make up most of the archive, with advice for an environment', () => {
    const venv = { path: '.venv/', bytes: 103_809_024, share: 0.96, advice: 'shipped: add it to .flashignore' };
    const [root] = buildTree({ projects: [{ ...RESULT.projects[0], sizeContributors: [venv, { path: 'models/', bytes: 2_097_152, share: 0.11 }] }] });
    const lines = String(root.tooltip).split('\n');
    assert.ok(lines.includes('99.0 MB of it is .venv/ (shipped: add it to .flashignore)'), lines.join('|'));
    assert.ok(lines.includes('2.0 MB of it is models/'));
    assert.match(String(root.children[0].tooltip), /99\.0 MB of it is \.venv\//);
    assert.doesNotMatch(String(roots[0].tooltip), /of it is/);
  });
  test('an endpoint without its own location reveals its first function', () => {
    assert.deepEqual(roots[0].children[1].location, RESULT.projects[0].endpoints[1].functions[0].location);
  });
  test('an endpoint with nothing to reveal (the mothership) opens its handler preview', () => {
    const mothership = buildTree({
      projects: [{ ...RESULT.projects[0], endpoints: [{ ...RESULT.projects[0].endpoints[0], name: 'mothership', mothership: true, location: undefined, functions: [] }] }],
    })[0].children[0];
    const item = toTreeItem(mothership);
    assert.equal(item.command?.command, 'flash.showHandlerPreview');
    assert.deepEqual(item.command?.arguments, [{ project: P, resource: 'mothership' }]);
  });
  test('a failing project shows its errors', () => {
    assert.equal(roots[1].icon, 'warning');
    assert.match(roots[1].description!, /build fails/);
    assert.deepEqual(roots[1].children.map((c) => [c.kind, c.label]), [['error', 'no main.py']]);
  });
  test('endpoint nodes carry project + resource (the handler preview context-menu argument)', () => {
    const ep = roots[0].children[0];
    assert.equal(ep.project, P);
    assert.equal(ep.resource, 'hello_gpu');
  });
  test('empty / missing results', () => {
    assert.deepEqual(buildTree(null), []);
    assert.deepEqual(buildTree({ projects: [] }), []);
  });
  test('formatBytes', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(2048), '2.0 KB');
    assert.equal(formatBytes(524288000), '500.0 MB');
    assert.equal(formatBytes(null), '');
  });
});
