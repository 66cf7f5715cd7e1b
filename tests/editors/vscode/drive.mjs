// Drives real VS Code (code-server) with the Flash LSP extension through its UI, with
// playwright-core + Debian chromium. Each check is a step; a failing step is recorded (with a
// screenshot) and the next one still runs. Prints one JSON object on the last stdout line:
//   {"steps": {"<name>": {"ok": bool, "data": ..., "error": "...", "seconds": n}}, "ok": bool}
//
// Usage: node drive.mjs <config.json>
//   config: {baseUrl, hello, tiny, deep, shots, chromium, playwright, timeoutScale, steps?, suite?}
//     steps: optional list of step names to run (the others are skipped)
//     suite: run the steps of ./<suite>.mjs instead (its `run(helpers)`)
//     hello / tiny / deep: absolute folder paths of the fixture workspaces (copies; edited here)
//     shots: screenshot directory; playwright: directory whose node_modules has playwright-core
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  cancelBuildStep, deepProjectSteps, treeSizeStep, firstStartStep, ignoreFixStep, mothershipClickStep, mothershipHandlersStep, predictedReportStep, realReportSteps, recordNotifications, refusedBuildStep, venvSizeStep,
} from './current_state_steps.mjs';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const require = createRequire(path.join(config.playwright, 'package.json'));
const { chromium } = require('playwright-core');

const T = (ms) => Math.round(ms * (config.timeoutScale ?? 1));
const t0 = Date.now();
const log = (...a) => console.error(`[drive ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const results = {};
// never hang: print what was recorded and exit before the caller's timeout
const watchdog = setTimeout(() => {
  results.watchdog = { ok: false, error: `drive.mjs ran out of time (${config.deadlineSeconds}s)` };
  console.log(JSON.stringify({ ok: false, seconds: (Date.now() - t0) / 1000, steps: results }));
  process.exit(0);
}, (config.deadlineSeconds ?? 420) * 1000);
watchdog.unref();
fs.mkdirSync(config.shots, { recursive: true });
/** innerText with the editor's non-breaking spaces turned into spaces. */
const text = async (locator) => (await locator.innerText()).replace(/\u00a0/g, ' ');
const shot = (name) => page.screenshot({ path: path.join(config.shots, `${name}.png`) }).catch(() => {});

async function step(name, fn) {
  if (config.steps && !config.steps.includes(name)) return; // FLASH_E2E_STEPS: a subset only
  const started = Date.now();
  log(`step ${name}`);
  try {
    const data = await fn();
    results[name] = { ok: true, data, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    results[name] = { ok: false, error: String(e?.message ?? e).split('\n').slice(0, 6).join('\n'), seconds: (Date.now() - started) / 1000 };
    log(`step ${name} FAILED: ${results[name].error}`);
    await shot(`failed-${name}`);
    await page.keyboard.press('Escape').catch(() => {});
  }
}

const profile = fs.mkdtempSync(path.join(config.shots, '..', 'chromium-profile-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: config.chromium,
  headless: true,
  viewport: { width: 1600, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--disable-dev-shm-usage'],
});
const page = ctx.pages()[0] || (await ctx.newPage());
page.on('console', (m) => {
  if (m.type() === 'error' && /flash|Flash/.test(m.text())) log('console:', m.text().slice(0, 300));
});

// ------------------------------------------------------------------ helpers

async function openWorkbench(folder) {
  await page.goto(`${config.baseUrl}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: T(60000) });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: T(60000) });
  log(`workbench loaded: ${folder}`);
}

async function runCommand(title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: T(10000) });
  await input.fill(`>${title}`);
  // the row whose label is exactly `title` ("Flash: Package" also matches a recently used
  // "Flash: Show Package Report", which would be first)
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
  await row.waitFor({ timeout: T(15000) });
  await row.click();
}

async function quickOpen(relpath) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: T(10000) });
  await input.fill(relpath);
  const base = path.basename(relpath);
  const dir = path.dirname(relpath);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).filter({ hasText: dir === '.' ? base : dir }).first();
  await row.waitFor({ timeout: T(20000) });
  await row.click();
  await page.locator('.tabs-container .tab.active', { hasText: base }).waitFor({ timeout: T(10000) });
  await page.waitForTimeout(300);
}

/** The editor whose lines contain `text` (first match). */
function editorWith(text) {
  return page.locator('.editor-instance .monaco-editor', { has: page.locator('.view-lines', { hasText: text }) }).first();
}

/** Types `text` at "line:column" of `editor` (an unsaved edit). */
async function typeAt(editor, position, text) {
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(position);
  await page.keyboard.press('Enter');
  await page.keyboard.type(text);
}

async function hoverWord(lineText, word) {
  const line = page.locator('.monaco-editor .view-line', { hasText: lineText }).first();
  await line.waitFor({ timeout: T(10000) });
  const token = line.locator('span > span', { hasText: new RegExp(`^\\s*${word}\\s*$`) }).first();
  if (await token.count()) {
    await token.hover({ position: { x: 4, y: 5 } });
  } else {
    // one span for the whole line: place the pointer by character width
    const box = await line.boundingBox();
    const lineText = await line.innerText();
    const charWidth = box.width / Math.max(lineText.length, 1);
    await page.mouse.move(box.x + (lineText.indexOf(word) + 2) * charWidth, box.y + box.height / 2);
  }
}

async function notification(textRe, timeout) {
  const toast = page.locator('.notification-toast, .notifications-center .notification-list-item', { hasText: textRe }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return (await toast.innerText()).split('\n').filter((s) => s.trim());
}

async function allNotifications() {
  return page.locator('.notification-toast .notification-list-item-message').allInnerTexts().catch(() => []);
}

// drive.mjs's helpers, for the steps kept in other modules
const h = { page, step, T, shot, openWorkbench, runCommand, quickOpen, typeAt, editorWith };
// ------------------------------------------------------------------ another suite of steps

if (config.suite) {
  const { run } = await import(`./${config.suite}.mjs`);
  try {
    await run({ page, config, step, T, text, shot, log, openWorkbench, quickOpen, editorWith, hoverWord, runCommand });
  } catch (e) {
    results.fatal = { ok: false, error: String(e?.stack ?? e) };
  }
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
  clearTimeout(watchdog);
  console.log(JSON.stringify({ ok: Object.values(results).every((r) => r.ok), seconds: (Date.now() - t0) / 1000, steps: results }));
  process.exit(0);
}

// ------------------------------------------------------------------ the hello project

try {
  await step('workbench', () => openWorkbench(config.hello));
  await recordNotifications(h);

  await step('diagnostics', async () => {
    await quickOpen('workers/extra/endpoint.py');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Shift+M');
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: 'FL101' }).first();
    await marker.waitFor({ timeout: T(120000) }); // first start: the private venv is created here
    await page.waitForTimeout(500);
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    await shot('problems');
    return { rows: rows.map((r) => r.split('\n').filter((s) => s.trim())) };
  });

  await firstStartStep(h);

  await step('hover', async () => {
    await page.keyboard.press('Escape');
    await quickOpen('workers/gpu/endpoint.py');
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'Manifest entry' }).first();
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.mouse.move(5, 500);
      await page.waitForTimeout(300);
      await hoverWord('async def generate', 'generate');
      try {
        await hover.waitFor({ state: 'visible', timeout: T(8000) });
        break;
      } catch (e) {
        if (attempt === 2) throw e;
      }
    }
    await page.waitForTimeout(400);
    const hoverText = await text(hover);
    await shot('hover');
    return { lines: hoverText.split('\n').filter((s) => s.trim()) };
  });

  await step('handlerPreviewFromHover', async () => {
    const link = page.locator('.monaco-hover:not(.hidden) a', { hasText: 'Open handler preview' }).first();
    await link.click();
    const tab = page.locator('.tabs-container .tab', { hasText: 'handler_hello_gpu.py' }).first();
    await tab.waitFor({ timeout: T(15000) });
    const editor = editorWith('hello_gpu');
    await editor.waitFor({ timeout: T(15000) }).catch(() => {});
    const lines = await text(page.locator('.editor-group-container.active .view-lines').first()).catch(() => '');
    await page.mouse.move(900, 950);
    await page.keyboard.press('Escape');
    await page.locator('.monaco-hover:not(.hidden)').first().waitFor({ state: 'hidden', timeout: T(3000) }).catch(() => {});
    await page.waitForTimeout(300);
    await shot('handler-preview');
    return { tab: await tab.innerText(), firstLines: lines.split('\n').slice(0, 12) };
  });

  await step('endpointsTree', async () => {
    await page.keyboard.press('Escape');
    await page.locator('.activitybar .action-item a[aria-label^="Flash"]').first().click();
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Endpoints' }) }).first();
    await view.locator('.monaco-list-row', { hasText: 'summarise' }).first().waitFor({ timeout: T(30000) });
    await page.waitForTimeout(500);
    const rows = await view.locator('.monaco-list-row').evaluateAll((els) =>
      els.map((el) => ({
        label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
        description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
        level: Number(el.getAttribute('aria-level') ?? 0),
      })),
    );
    await shot('tree');
    // click = reveal code
    await view.locator('.monaco-list-row', { hasText: 'health' }).first().click();
    await page.waitForTimeout(1000);
    const activeLine = await page.locator('.editor-group-container.active .monaco-editor .current-line').count();
    const editorText = await text(page.locator('.editor-group-container.active .view-lines').first());
    return { rows, revealed: { hasHealth: /def health/.test(editorText), cursorLine: activeLine > 0 } };
  });

  await step('manifestPreview', async () => {
    await quickOpen('workers/extra/endpoint.py');
    await runCommand('Flash: Show Manifest Preview');
    const tab = page.locator('.tabs-container .tab', { hasText: 'flash_manifest.json' }).first();
    await tab.waitFor({ timeout: T(15000) });
    const preview = editorWith('"project_name": "hello"');
    await preview.waitFor({ timeout: T(15000) });
    await preview.locator('.view-lines', { hasText: '"summarise"' }).waitFor({ timeout: T(10000) });
    const before = (await text(preview.locator('.view-lines'))).split('\n').slice(0, 14);
    await shot('previews');
    // edit the source (unsaved): rename summarise → summarise_v2 on line 8
    await typeAt(editorWith('def summarise'), '8:14', '_v2');
    const started = Date.now();
    await preview.locator('.view-lines', { hasText: '"summarise_v2"' }).waitFor({ timeout: T(15000) });
    const seconds = (Date.now() - started) / 1000;
    const after = (await text(preview.locator('.view-lines'))).split('\n').slice(0, 14);
    await shot('previews-after-edit');
    const readonly = await preview.getAttribute('class');
    // the Endpoints tree follows the same edit (flash/modelChanged → flash/endpoints)
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Endpoints' }) }).first();
    let treeFollowed = false;
    try {
      await view.locator('.monaco-list-row', { hasText: 'summarise_v2' }).first().waitFor({ timeout: T(10000) });
      treeFollowed = true;
    } catch {}
    return { before, after, refreshSeconds: seconds, tabs: await page.locator('.tabs-container .tab').allInnerTexts(), readonlyClass: /read-only|readonly/.test(readonly ?? ''), treeFollowed };
  });

  await step('outputChannel', async () => {
    // after start and the edits above, plus a quiet spell: the server log stays short and honest
    await page.waitForTimeout(T(10000));
    await runCommand('Flash: Show Output');
    const output = page.locator('.panel .monaco-editor .view-lines').first();
    await output.waitFor({ timeout: T(10000) });
    await page.waitForTimeout(1000);
    const lines = (await text(output)).split('\n').filter((s) => s.trim());
    await shot('output-channel');
    await page.keyboard.press('Escape');
    return { lines };
  });

  await step('statusBar', async () => {
    const item = page.locator('#flash\\.status, .statusbar-item[id*="flash"]').first();
    await item.waitFor({ state: 'visible', timeout: T(20000) });
    // the size is resolved in the background: wait for "<n> MB / <limit>" (or give up after a while)
    const sized = page.locator('.statusbar-item[id*="flash"]', { hasText: /\d(\.\d)? ?[KMG]?B \/ \d/ }).first();
    await sized.waitFor({ state: 'visible', timeout: T(60000) }).catch(() => {});
    const shown = (await text(item)).trim();
    await shot('status');
    if (!/\/ \d/.test(shown)) throw new Error(`status bar shows no size: ${JSON.stringify(shown)}`);
    return { text: shown };
  });

  await treeSizeStep(h);

  await step('secretFiles', async () => {
    // keys/deploy.pem holds a private key (reported); vendor/certifi/cacert.pem is a CA bundle (not)
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'deploy.pem' }).first().waitFor({ timeout: T(30000) });
    await page.waitForTimeout(1000);
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    await shot('secret-files');
    return { rows };
  });

  await step('unusedConfigLens', async () => {
    // shared_config.py's config is imported by workers/batch/endpoint.py, which the scanner does not follow
    await quickOpen('shared_config.py');
    const lens = page.locator('.editor-group-container.active .codelens-decoration', { hasText: 'not deployed' }).first();
    await lens.waitFor({ timeout: T(30000) });
    await shot('unused-config-lens');
    return { lens: (await text(lens)).trim() };
  });

  await step('sizeTooltip', async () => {
    // the status bar tooltip says in plain words how the size is known
    const item = page.locator('.statusbar-item[id*="flash"]', { hasText: /\d(\.\d)? ?[KMG]?B \/ \d/ }).first();
    await item.waitFor({ state: 'visible', timeout: T(60000) });
    const tooltip = page.locator('.monaco-hover:not(.hidden)', { hasText: 'predicted archive size' }).first();
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.mouse.move(5, 500);
      await page.waitForTimeout(300);
      await item.hover();
      try {
        await tooltip.waitFor({ state: 'visible', timeout: T(5000) });
        break;
      } catch (e) {
        if (attempt === 2) throw e;
      }
    }
    const lines = (await text(tooltip)).split('\n').filter((s) => s.trim());
    await shot('size-tooltip');
    await page.mouse.move(5, 500);
    return { lines };
  });

  await step('chainedConfigLens', async () => {
    // `gpu_config = backup = LiveServerless(...)` is one config: one lens, no "2 configs" warning
    await quickOpen('workers/gpu/endpoint.py');
    await typeAt(editorWith('gpu_config = LiveServerless'), '3:14', 'backup = ');
    const changed = editorWith('gpu_config = backup = LiveServerless');
    await changed.waitFor({ timeout: T(10000) });
    await page.waitForTimeout(T(4000)); // analysis, lens refresh and diagnostics
    const lenses = await changed.locator('.codelens-decoration a').allInnerTexts();
    await page.keyboard.press('Control+Shift+M');
    await page.waitForTimeout(500);
    const problems = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    await shot('chained-config-lens');
    return { lenses: lenses.map((t) => t.replace(/\u00a0/g, ' ')), problems };
  });
} catch (e) {
  results.fatal = { ok: false, error: String(e?.stack ?? e) };
}

// ------------------------------------------------------------------ Flash: Build on the tiny project

try {
  await step('buildWorkbench', () => openWorkbench(config.tiny));
  await step('build', async () => {
    await quickOpen('workers/gpu/endpoint.py');
    await page.locator('.monaco-editor .view-lines').first().click();
    // as a user would: build once the server has analysed the project (its CodeLens is shown) and
    // the workbench has settled (VS Code holds back notification toasts while it restores)
    await page.locator('.codelens-decoration', { hasText: 'gpu_worker' }).first().waitFor({ timeout: T(60000) });
    await page.waitForTimeout(2000);
    // record every notification toast (progress ones included) as it appears: a short build's
    // progress notification may come and go between two polls
    await page.evaluate(() => {
      window.__flashSeen = { progress: [], notifications: [], cancellable: false };
      const record = () => {
        const seen = window.__flashSeen;
        for (const toast of document.querySelectorAll('.notification-toast')) {
          const msg = toast.querySelector('.notification-list-item-message')?.textContent?.trim();
          if (!msg) continue;
          const busy = !!toast.querySelector('.monaco-progress-container.active, .monaco-progress-container.infinite, .monaco-progress-container.discrete');
          const list = busy ? seen.progress : seen.notifications;
          if (!list.includes(msg)) list.push(msg);
          if (busy && [...toast.querySelectorAll('.monaco-button')].some((b) => b.textContent?.trim() === 'Cancel')) seen.cancellable = true;
        }
        for (const item of document.querySelectorAll('.statusbar-item[id*="progress"]')) {
          const msg = item.textContent?.trim();
          if (msg && !seen.progress.includes(msg)) seen.progress.push(msg);
        }
      };
      new MutationObserver(record).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    });
    await runCommand('Flash: Build');
    const deadline = Date.now() + T(240000);
    let finished;
    let shotTaken = false;
    let seen = { progress: [], notifications: [] };
    while (Date.now() < deadline) {
      seen = await page.evaluate(() => window.__flashSeen);
      if (seen.progress.length && !shotTaken) {
        shotTaken = true;
        await shot('build-progress');
      }
      finished = [...seen.notifications, ...seen.progress].find((t) => /Flash: build of tiny (finished|failed|cancelled)|Flash build failed/.test(t));
      if (finished) break;
      await page.waitForTimeout(200);
    }
    await page.waitForTimeout(500);
    await shot('build');
    const output = await text(page.locator('.panel .monaco-editor .view-lines').first()).catch(() => '');
    if (!finished) throw new Error(`no "build finished" notification; saw ${JSON.stringify(seen)}`);
    if (!/finished/.test(finished)) throw new Error(`build did not finish: ${finished}; saw ${JSON.stringify(seen)}; output ${output.slice(-800)}`);
    return { finished, ...seen, output: output.split('\n').filter((s) => s.trim()).slice(-15) };
  });
  await predictedReportStep(h);
  await step('package', async () => {
    await page.evaluate(() => (window.__flashSeen = { progress: [], notifications: [], cancellable: false }));
    await runCommand('Flash: Package');
    const deadline = Date.now() + T(240000);
    let finished;
    let seen;
    while (Date.now() < deadline) {
      seen = await page.evaluate(() => window.__flashSeen);
      finished = [...seen.notifications, ...seen.progress].find((t) => /Flash: package of tiny (finished|failed|cancelled)|Flash package failed/.test(t));
      if (finished) break;
      await page.waitForTimeout(200);
    }
    if (!finished || !/finished/.test(finished)) throw new Error(`package did not finish: ${finished}; saw ${JSON.stringify(seen)}`);
    // the report (flash/buildFinished.reportMarkdown) opens as a Markdown preview
    const tab = page.locator('.tabs-container .tab', { hasText: 'package-report.md' }).first();
    await tab.waitFor({ timeout: T(15000) });
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    let heading = '';
    try {
      heading = await frame.locator('h1, h2').first().innerText({ timeout: T(10000) });
    } catch {}
    await page.waitForTimeout(500);
    await shot('package-report');
    return { finished, tab: (await tab.innerText()).trim(), heading, progress: seen.progress };
  });
  await realReportSteps(h);
  await venvSizeStep(h, config.tiny);
  await ignoreFixStep(h, config.tiny);
  await refusedBuildStep(h);
  await cancelBuildStep(h, config.tiny);
} catch (e) {
  results.fatal2 = { ok: false, error: String(e?.stack ?? e) };
}

// ------------------------------------------------------------------ a project three levels down

try {
  await deepProjectSteps(h, config.deep);
  await mothershipClickStep(h);
  await mothershipHandlersStep(h);
} catch (e) {
  results.fatal3 = { ok: false, error: String(e?.stack ?? e) };
} finally {
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

clearTimeout(watchdog);
const ok = Object.values(results).every((r) => r.ok);
console.log(JSON.stringify({ ok, seconds: (Date.now() - t0) / 1000, steps: results }));
process.exit(0);
