// The plugin zip installed the way a site owner does it, in Debian's headless Chromium:
// Plugins -> Add New -> Upload Plugin with native-smtp-<version>.zip (scripts/plugin-zip.sh),
// Install Now, Activate Plugin; then the plugin list shows it active at the zip's version and
// its settings page opens. The rig serves the plugin from a link to the checkout: the link is
// taken away for the upload (WordPress deactivates a plugin whose folder is gone) and put back
// at the end, whatever happened. Run by scripts/wp-test.sh with the rig's env.sh sourced and
// PLUGIN_ZIP set. One "ok"/"not ok" line per check, last "e2e: N passed, N failed".
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const env = (name) => lib.env(name, ' (and set PLUGIN_ZIP)');
const { check, ARTIFACTS } = lib;
const WP_URL = env('WP_URL');
const WP_ROOT = env('WP_ROOT');
const ADMIN_USER = env('WP_ADMIN_USER');
const ADMIN_PASSWORD = env('WP_ADMIN_PASSWORD');
const ZIP = env('PLUGIN_ZIP');
const VERSION = path.basename(ZIP).replace(/^native-smtp-(.*)\.zip$/, '$1');
const PLUGIN_DIR = path.join(WP_ROOT, 'wp-content', 'plugins', 'native-smtp');

async function main() {
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	const link = fs.readlinkSync(PLUGIN_DIR); // the rig's link to the checkout: put back at the end
	const profile = lib.profile();
	let context;
	try {
		fs.unlinkSync(PLUGIN_DIR);
		let page;
		({ context, page } = await lib.launch(profile));

		await lib.logIn(page, `${WP_URL}/wp-login.php`, ADMIN_USER, ADMIN_PASSWORD);
		check('logged in as the administrator', page.url().includes('/wp-admin'), page.url());

		// The folder is gone: the plugin list no longer has it as active
		await page.goto(`${WP_URL}/wp-admin/plugins.php`);
		check('before the upload the plugin is not installed', (await page.locator('tr[data-slug="native-smtp"]').count()) === 0);

		// Plugins -> Add New -> Upload Plugin
		await page.goto(`${WP_URL}/wp-admin/plugin-install.php`);
		await page.click('a.upload-view-toggle');
		await page.setInputFiles('#pluginzip', ZIP);
		await page.screenshot({ path: path.join(ARTIFACTS, 'upload-01-form.png') });
		await Promise.all([page.waitForNavigation(), page.click('#install-plugin-submit')]);
		const report = await page.locator('.wrap').innerText();
		await page.screenshot({ path: path.join(ARTIFACTS, 'upload-02-installed.png'), fullPage: true });
		check('Install Now: "Plugin installed successfully."', report.includes('Plugin installed successfully.'), report.slice(0, 400));
		check('the upload unpacked a real folder (not the rig\'s link)', fs.existsSync(path.join(PLUGIN_DIR, 'native-smtp.php')) && !fs.lstatSync(PLUGIN_DIR).isSymbolicLink());
		check('the zip carries vendor/ (the bridge trait the mailer class uses)', fs.existsSync(path.join(PLUGIN_DIR, 'vendor')));

		await Promise.all([page.waitForNavigation(), page.click('a.button-primary[href*="action=activate"]')]);
		const row = page.locator('tr[data-slug="native-smtp"]');
		const rowClass = (await row.getAttribute('class')) || '';
		const rowText = await row.innerText();
		await page.screenshot({ path: path.join(ARTIFACTS, 'upload-03-activated.png'), fullPage: true });
		check('Activate Plugin: the plugin list shows Native SMTP active', rowClass.split(/\s+/).includes('active'), rowClass);
		check(`the active plugin is version ${VERSION}`, rowText.includes(`Version ${VERSION}`), rowText.slice(0, 300));

		await page.goto(`${WP_URL}/wp-admin/options-general.php?page=native-smtp`);
		const title = await page.locator('.wrap h1').first().innerText();
		check('its settings page opens', /Native SMTP/.test(title), title);
	} catch (error) {
		check('the upload and activation ran to the end', false, error.message.split('\n')[0]);
	} finally {
		await lib.close(context, profile);
		// the rig's link back, in place of the uploaded copy (same folder name: it stays active)
		fs.rmSync(PLUGIN_DIR, { recursive: true, force: true });
		fs.symlinkSync(link, PLUGIN_DIR);
	}
	lib.finish();
}

main();
