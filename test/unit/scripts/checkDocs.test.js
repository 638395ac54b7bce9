'use strict';

/** scripts/check-docs.js: links and anchors that lead nowhere, and runnable blocks that fail, are reported. */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { checkDocs, slugify } = require('../../../scripts/check-docs');

let root;

/** A throwaway repository holding the given pages ({ 'docs/a.md': text, … }). */
function repository(pages) {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-docs-'));
	for (const [file, text] of Object.entries(pages)) {
		fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
		fs.writeFileSync(path.join(root, file), text);
	}
	return root;
}

afterEach(() => {
	if (root) fs.rmSync(root, { recursive: true, force: true });
	root = undefined;
});

const GUIDE = [
	'# Guide',
	'',
	'## Errors and the SMS fallback',
	'',
	'## Callbacks on n8n 2.39',
	'',
	'## Setup',
	'',
	'## Setup',
	'',
	'![A picture](images/shot.png)',
].join('\n');

describe('links', () => {
	test('links to files, folders, headings (as GitHub names them) and images pass', () => {
		repository({
			'README.md': '# Title\n\nSee [the guide](docs/guide.md#errors-and-the-sms-fallback), [2.39](docs/guide.md#callbacks-on-n8n-239), [the second Setup](docs/guide.md#setup-1), [docs](docs/) and [here](#title).\n',
			'docs/guide.md': GUIDE,
			'docs/images/shot.png': 'png',
		});
		expect(checkDocs({ root })).toEqual([]);
	});

	test('a link to a missing file fails, naming the page, the line and the target', () => {
		repository({ 'README.md': '# Title\n\nRead [sending](docs/sendng.md).\n' });
		expect(checkDocs({ root })).toEqual(['README.md:3: link "docs/sendng.md": no such file: docs/sendng.md']);
	});

	test('an anchor no heading makes fails, in another page and in the same one', () => {
		repository({
			'README.md': '# Title\n\n[a](docs/guide.md#retries) and [b](#titel)\n',
			'docs/guide.md': GUIDE,
			'docs/images/shot.png': 'png',
		});
		expect(checkDocs({ root })).toEqual([
			'README.md:3: link "docs/guide.md#retries": no heading for #retries in docs/guide.md',
			'README.md:3: link "#titel": no heading for #titel in README.md',
		]);
	});

	test('a missing image in a docs page fails, resolved from that page', () => {
		repository({ 'README.md': '# Title\n', 'docs/guide.md': GUIDE });
		expect(checkDocs({ root })).toEqual(['docs/guide.md:11: link "images/shot.png": no such file: docs/images/shot.png']);
	});

	test('a link out of the repository fails; web links and links inside code are not followed', () => {
		repository({
			'README.md': [
				'# Title',
				'[out](../elsewhere.md) [web](https://example.com/x.md) [mail](mailto:a@example.com)',
				'`[not a link](nowhere.md)`',
				'```md',
				'[also not](nowhere.md)',
				'```',
			].join('\n'),
		});
		expect(checkDocs({ root })).toEqual(['README.md:2: link "../elsewhere.md": it leaves the repository (../elsewhere.md)']);
	});

	test('slugs drop code marks, punctuation and dots, keep hyphens and underscores', () => {
		expect(slugify('What `npm run test:queue` shows')).toBe('what-npm-run-testqueue-shows');
		expect(slugify('Credential: Twilio WhatsApp API (`twilioWhatsAppApi`)')).toBe('credential-twilio-whatsapp-api-twiliowhatsappapi');
		expect(slugify('Automatic setup: what registration touches')).toBe('automatic-setup-what-registration-touches');
	});
});

describe('runnable blocks', () => {
	test('a runnable block that exits 0 passes; one that fails is reported with its output', () => {
		repository({
			'README.md': [
				'# Title',
				'```sh runnable',
				'test -f README.md',
				'```',
				'```sh runnable',
				'echo "no such thing" >&2; exit 3',
				'```',
			].join('\n'),
		});
		expect(checkDocs({ root })).toEqual(['README.md:5: runnable block failed, exit 3: no such thing']);
	});

	test('a block runs from the repository root, and a failing step stops it (bash -e)', () => {
		repository({ 'docs/a.md': '```sh runnable\nfalse\ntouch ran-on\n```\n', 'README.md': '# T\n' });
		expect(checkDocs({ root })).toEqual(['docs/a.md:1: runnable block failed, exit 1']);
		expect(fs.existsSync(path.join(root, 'ran-on'))).toBe(false);
	});

	test('blocks without the marker are never run, and run: false checks links only', () => {
		repository({ 'README.md': '```sh\nexit 1\n```\n```sh runnable\nexit 1\n```\n' });
		expect(checkDocs({ root, run: false })).toEqual([]);
		expect(checkDocs({ root })).toHaveLength(1);
	});

	test('the marker on another language is refused rather than ignored', () => {
		repository({ 'README.md': '```js runnable\nprocess.exit(0)\n```\n' });
		expect(checkDocs({ root })).toEqual(['README.md:1: a runnable block must be "sh runnable", not "js runnable"']);
	});
});

test("this repository's pages: every relative link leads somewhere and every runnable block passes", () => {
	expect(checkDocs()).toEqual([]);
});
