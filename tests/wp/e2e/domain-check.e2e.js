// The domain check as an administrator sees it, in Debian's headless Chromium: Send Test tab ->
// Check domain -> the results table; then Tools -> Site Health, whose asynchronous test fetches
// the result over REST. Started by DomainCheckTest inside its network namespace (with WordPress
// served from inside it too), so WordPress resolves the test zones through the namespace's
// resolv.conf. Argument: the zone ("good" or "broken") and the statuses expected per row.
// Screenshots: artifacts/wp/domain-check-<zone>-*.png. Last line: "e2e: N passed, N failed".
'use strict';

const fs = require('fs');
const lib = require('./lib');

const { env, check } = lib;
const WP_URL = env('WP_URL');
const ADMIN_USER = env('WP_ADMIN_USER');
const ADMIN_PASSWORD = env('WP_ADMIN_PASSWORD');
const [zone, expected, healthLabel] = process.argv.slice(2); // e.g. good "spf:good,dkim:good" "The email domain ..."
if (!zone || !expected || !healthLabel) throw new Error('usage: domain-check.e2e.js ZONE CHECK:STATUS,... SITE_HEALTH_LABEL');

async function main() {
	fs.mkdirSync(lib.ARTIFACTS, { recursive: true });
	const profile = lib.profile();
	const { context, page } = await lib.launch(profile, { navigationTimeout: 60000 }); // a busy shared machine once took over 30 s to load wp-login.php
	const restCalls = [];
	const shot = lib.shooter(page, `domain-check-${zone}-`);
	try {
		await lib.logIn(page, `${WP_URL}/wp-login.php`, ADMIN_USER, ADMIN_PASSWORD);
		check('logged in', (await page.locator('#wpadminbar').count()) === 1);

		// Send Test tab -> Check domain.
		await page.goto(`${WP_URL}/wp-admin/options-general.php?page=native-smtp&tab=test`);
		check('Send Test tab has a "Domain check" section', (await page.locator('#native-smtp-domain-check-title').innerText()).trim() === 'Domain check');
		check('no results before asking', (await page.locator('#native-smtp-domain-check table').count()) === 0);
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Check domain' }).click()]);
		const rows = await page.locator('#native-smtp-domain-check tbody tr').evaluateAll(
			(trs) => trs.map((tr) => `${tr.dataset.check}:${tr.dataset.status}`));
		check(`results for ${zone}: ${expected}`, rows.join(',') === expected, rows.join(','));
		const fixes = await page.locator('#native-smtp-domain-check tbody tr td:nth-child(4)').allInnerTexts();
		check('a fix on every row that is not OK', rows.every((r, i) => r.endsWith(':good') || fixes[i].trim() !== ''), fixes.join(' | '));
		await page.locator('#native-smtp-domain-check').scrollIntoViewIfNeeded();
		await shot('send-test');

		// Tools -> Site Health: the async test's result arrives over REST after the page loaded.
		page.on('requestfinished', async (request) => {
			if (request.url().includes('native-smtp/v1')) restCalls.push(`${(await request.response()).status()} ${request.url()}`);
		});
		page.on('requestfailed', (request) => {
			if (request.url().includes('native-smtp/v1')) restCalls.push(`failed ${request.failure().errorText} ${request.url()}`);
		});
		await page.goto(`${WP_URL}/wp-admin/site-health.php`);
		const heading = page.locator('button.health-check-accordion-trigger', { hasText: healthLabel });
		// A passed test is listed under the collapsed "Passed tests", so attached, not yet visible.
		await heading.waitFor({ state: 'attached' });
		check(`Site Health shows "${healthLabel}"`, (await heading.count()) === 1);
		if (!(await heading.isVisible())) await page.click('.site-health-view-passed');
		await heading.click();
		await page.waitForSelector('.health-check-accordion-panel:not([hidden]) table.native-smtp-domain-check');
		check('Site Health lists the checks', (await page.locator('.health-check-accordion-panel:not([hidden]) table.native-smtp-domain-check tbody tr').count()) === rows.length);
		await shot('site-health');
	} catch (error) {
		console.log(`# domain-check REST calls: ${restCalls.join(' | ') || 'none'}`);
		await shot('failure').catch(() => {});
		throw error;
	} finally {
		await lib.close(context, profile);
	}
	lib.finish();
}

lib.run(main);
