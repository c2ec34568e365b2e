// Issue 17's reports as an administrator meets them, in Debian's headless Chromium: the dashboard
// widget with the last 7 days; Email Log -> Export CSV (downloaded, formula cells neutralised);
// "Resend all failed" -> the confirmation -> Cancel, then "Yes, resend them" -> the result; the
// same form POSTed again in the same session, which must send nothing; the Alerts tab. Started by
// ReportsTest (test_in_chromium_...), which made the failed emails and checks afterwards what the
// relay received. Screenshots: artifacts/wp/reports-*.png. Arguments: how many failed emails can
// be resent, and how many failed entries the log holds. Last line: "e2e: N passed, N failed".
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const { env, check } = lib;
const WP_URL = env('WP_URL');
const ADMIN_USER = env('WP_ADMIN_USER');
const ADMIN_PASSWORD = env('WP_ADMIN_PASSWORD');
const failedCount = Number(process.argv[2]); // failed emails that can be resent
const failedTotal = Number(process.argv[3]); // failed entries in the last 7 days
if (!failedCount || !failedTotal) throw new Error('usage: alerts-reports.e2e.js RESENDABLE FAILED_TOTAL');

async function main() {
	fs.mkdirSync(lib.ARTIFACTS, { recursive: true });
	const profile = lib.profile();
	const { context, page } = await lib.launch(profile, { navigationTimeout: 60000 });
	const shot = lib.shooter(page, 'reports-');
	try {
		await lib.logIn(page, `${WP_URL}/wp-login.php`, ADMIN_USER, ADMIN_PASSWORD);
		check('logged in', (await page.locator('#wpadminbar').count()) === 1);

		// The dashboard widget.
		await page.goto(`${WP_URL}/wp-admin/index.php`);
		const widget = page.locator('#native_smtp_dashboard');
		check('the dashboard shows the Native SMTP widget', await widget.isVisible());
		check('its title says "last 7 days"', (await widget.locator('h2').innerText()).includes('Native SMTP: last 7 days'));
		const totals = await widget.locator('.native-smtp-dashboard-totals').innerText();
		check(`it counts ${failedTotal} failed`, totals.includes(`${failedTotal} failed`), totals);
		check('it lists a week of days', (await widget.locator('tbody tr').count()) === 7);
		check('it names the top failure reason', (await widget.locator('.native-smtp-dashboard-reasons li').count()) >= 1);
		await widget.scrollIntoViewIfNeeded();
		await shot('dashboard-widget');

		// Email Log -> Resend all failed -> confirmation.
		await page.goto(`${WP_URL}/wp-admin/options-general.php?page=native-smtp&tab=log`);
		const link = page.locator('#native-smtp-resend-failed-link');
		check('the log offers "Resend all failed"', (await link.innerText()).trim() === `Resend all failed (${failedCount})`);
		check('and "Export CSV"', await page.locator('#native-smtp-log-export-button').isVisible());
		const [download] = await Promise.all([page.waitForEvent('download'), page.click('#native-smtp-log-export-button')]);
		check('Export CSV downloads a .csv', /^native-smtp-log-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename()), download.suggestedFilename());
		const csv = fs.readFileSync(await download.path(), 'utf8');
		check('the CSV starts with its header row', csv.replace(/^\uFEFF/, '').startsWith('id,created_at,status,to,subject,smtp_code,error,attempts,message_id'), csv.slice(0, 80));
		check('the CSV holds the failed emails', (csv.match(/resend me/g) || []).length === failedCount);
		check('a formula subject is neutralised in the CSV', csv.includes(",'=SUM(1+1),") && !csv.includes(',=SUM(1+1),'));
		await Promise.all([page.waitForNavigation(), link.click()]);
		const confirm = page.locator('#native-smtp-resend-failed-confirm');
		check('a confirmation step asks first', (await confirm.innerText()).includes(`Resend ${failedCount} failed email`));
		await shot('resend-confirm');
		// Cancel goes back and sends nothing.
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-resend-failed-cancel')]);
		check('Cancel leaves the link as it was', (await page.locator('#native-smtp-resend-failed-link').innerText()).trim() === `Resend all failed (${failedCount})`);
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-resend-failed-link')]);
		// What the form will post, kept for the double submit below.
		const form = await page.locator('#native-smtp-resend-failed-form').evaluate((f) => ({
			action: f.getAttribute('action'), // f.action is the form's field named "action"
			fields: Object.fromEntries(new FormData(f).entries()),
		}));
		await Promise.all([page.waitForNavigation(), page.click('#native-smtp-resend-failed-button')]);
		const notice = (await page.locator('#native-smtp-resend-all-notice').innerText()).trim();
		check('the result is shown', notice.includes(`Resent: ${failedCount} sent or queued, 0 failed again`), notice);
		check('no failed email is left to resend', (await page.locator('#native-smtp-resend-failed-link').count()) === 0);
		await shot('resend-done');

		// The same form posted again, with the same nonce and fields, in the same session (a double
		// click, a resubmitted POST): nothing is sent twice.
		const replay = await page.request.post(form.action, { form: form.fields, maxRedirects: 0 });
		check('the replayed POST is accepted and redirects to the log', replay.status() === 302 && replay.headers().location.includes('tab=log'), `${replay.status()}`);
		await page.goto(`${WP_URL}/wp-admin/options-general.php?page=native-smtp&tab=log`);
		const second = (await page.locator('#native-smtp-resend-all-notice').innerText()).trim();
		check('submitting it again sends nothing', second.includes('Nothing was resent'), second);
		await shot('resend-again');

		// The Alerts tab.
		await page.goto(`${WP_URL}/wp-admin/options-general.php?page=native-smtp&tab=alerts`);
		check('the Alerts tab has the form', await page.locator('#native-smtp-alerts').isVisible());
		check('with the webhooks field', await page.locator('#native-smtp-alert-webhooks').isVisible());
		await shot('alerts-tab');
	} catch (error) {
		await shot('failure').catch(() => {});
		throw error;
	} finally {
		await lib.close(context, profile);
	}
	lib.finish();
}

lib.run(main);
