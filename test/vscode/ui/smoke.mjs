/* global console -- Node globals: the ESLint config declares none for .mjs */
// UI smoke test: the packaged VSIX installs into a real VS Code, the workbench loads, and the Extensions view lists SMoA.
// (Not "Developer: Show Running Extensions": it lists only activated extensions, and SMoA activates on demand.)
import { buildAndPackage } from '../vsix.mjs';
import { runCommand, screenshot, uiTest } from './lib/workbench.mjs';

const DISPLAY_NAME = 'SMoA: Sparse Mixture-of-Agents';

await uiTest('smoke', { vsix: buildAndPackage() }, async ({ page }) => {
  await screenshot(page, 'smoke-workbench');
  await runCommand(page, 'Extensions: Show Installed Extensions');
  await page.locator('.extensions-viewlet').getByText(DISPLAY_NAME, { exact: true }).first().waitFor({ timeout: 20_000 });
  console.log(`[ui] screenshot: ${await screenshot(page, 'smoke-installed-extensions')}`);
});
