// A `.venv` created after the folder opened, in real VS Code (run by drive.mjs when config.suite is
// "new_venv_steps"): the Problems panel shows the build's "No module named 'numpy'" (worker.py) and
// "No module named 'fastlib'" (other.py) for the project as opened. The venv (config.venvTemplate, a
// site-packages with runpod-flash and numpy) is then copied into the project, as pip would write it:
// the numpy finding must go away with no edit, no save and no "Flash: Re-index". Then fastlib is
// installed the way `pip install -e` does it, with no .py file in site-packages (a .pth and a
// dist-info, RECORD written last): the server learns of it from the dist-info events or its poll.
import fs from 'node:fs';
import path from 'node:path';

const MISSING = "No module named 'numpy'";
const MISSING_EDITABLE = "No module named 'fastlib'";

/** The Problems panel's rows (each row's lines). */
async function problemRows(page) {
  const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts().catch(() => []);
  return rows.map((r) => r.split('\n').filter((s) => s.trim()));
}

export async function run(h) {
  const { page, step, T, config } = h;
  await step('workbench', () => h.openWorkbench(config.project));

  await step('missingModule', async () => {
    await h.quickOpen('worker.py');
    await page.keyboard.press('Control+Shift+M');
    for (const text of [MISSING, MISSING_EDITABLE]) {
      await page.locator('.markers-panel .monaco-list-row', { hasText: text }).first().waitFor({ timeout: T(120000) });
    }
    return { rows: await problemRows(page) };
  });

  await step('venvCreated', async () => {
    const started = Date.now();
    fs.cpSync(config.venvTemplate, path.join(config.project, '.venv'), { recursive: true });
    return { ...(await gone(page, MISSING, T(30000))), seconds: (Date.now() - started) / 1000 };
  });

  await step('editableInstall', async () => {
    const started = Date.now();
    const site = path.join(config.project, '.venv', config.sitePackages);
    const info = path.join(site, 'fastlib-0.1.0.dist-info');
    fs.mkdirSync(info);
    fs.writeFileSync(path.join(site, '__editable__.fastlib-0.1.0.pth'), `${config.project}/src\n`);
    fs.writeFileSync(path.join(info, 'METADATA'), 'Metadata-Version: 2.1\nName: fastlib\nVersion: 0.1.0\n');
    fs.writeFileSync(path.join(info, 'top_level.txt'), 'fastlib\n');
    fs.writeFileSync(path.join(info, 'RECORD'), 'fastlib-0.1.0.dist-info/METADATA,,\n');
    return { ...(await gone(page, MISSING_EDITABLE, T(30000))), seconds: (Date.now() - started) / 1000 };
  });
}

/** Waits up to `timeout` ms for the Problems panel to lose every row containing `text`. */
async function gone(page, text, timeout) {
  const marker = page.locator('.markers-panel .monaco-list-row', { hasText: text });
  const deadline = Date.now() + timeout;
  while ((await marker.count()) > 0 && Date.now() < deadline) await page.waitForTimeout(250);
  return { cleared: (await marker.count()) === 0, rows: await problemRows(page) };
}
