'use strict';

/**
 * n8n in queue mode on this machine: the environment every process shares, and one main, one
 * webhook processor and N workers started on it. Redis and PostgreSQL come from services.js.
 * Shared by the queue-mode test (test/e2e/queue.js) and its benchmark (bench/n8n-queue.js).
 */

const crypto = require('node:crypto');

const { current } = require('./profile');
const { startN8n } = require('./processes');

/** The settings this n8n runs with in queue mode (its profile's queueEnv, scripts/n8n-runtime/profile.js): {} for most. */
const queueSettings = () => ({ ...current().queueEnv });

/** What every queue-mode process shares: the database, the queue, the encryption key, the URL n8n shows. */
function queueEnvironment({ redis, postgres }, webhookBase) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: redis.port,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: postgres.port,
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
		N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('hex'),
		// The URL n8n shows and Twilio signs: the webhook processor's, on every process.
		WEBHOOK_URL: `${webhookBase}/`,
	};
}

/**
 * The main (production webhooks off: only the webhook processor serves them), then the webhook
 * processor and the workers side by side. `folders` has main, webhook and one folder per worker
 * (`workers`, in order); `env` goes to every process, `webhookEnv` to the webhook processor too.
 * Returns { main, webhook, workers, stop() }; `onStarted(label, handle)` hears of each as it is up.
 */
/**
 * @param {{ folders: Record<string, string>, workers: string[], env: Record<string, any>, webhookEnv?: Record<string, any>, webhookPort: number,
 *   workerConcurrency: number, expectActive?: string[], onStarted?: (label: string, handle: any) => void }} options
 */
async function startQueueProcesses({ folders, workers: workerNames, env, webhookEnv = {}, webhookPort, workerConcurrency, expectActive = [], onStarted = () => {} }) {
	const main = await startN8n({
		userFolder: folders.main,
		setupOwner: true,
		env: { ...env, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' },
		expectActive,
	});
	onStarted('main', main);
	const [webhook, ...workers] = await Promise.all([
		startN8n({ command: 'webhook', userFolder: folders.webhook, port: webhookPort, env: { ...env, ...webhookEnv } }),
		...workerNames.map((name) => startN8n({ command: 'worker', userFolder: folders[name], args: [`--concurrency=${workerConcurrency}`], env })),
	]);
	onStarted('webhook', webhook);
	workers.forEach((worker, index) => onStarted(`worker ${index + 1}`, worker));
	const stop = () => Promise.all([webhook, ...workers, main].map((handle) => handle.stop()));
	return { main, webhook, workers, stop };
}

module.exports = { queueEnvironment, queueSettings, startQueueProcesses };
