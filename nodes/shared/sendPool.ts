/** A batch's sends with a bounded number in flight, results in input order. */

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `task` for 0..count-1 with at most `concurrency` at once. Results come
 * back in input order. Once `stopOnError` sees a failure no new task starts
 * (those in flight finish), and the tasks never started are left undefined.
 */
export async function runPool<T>(
	count: number,
	concurrency: number,
	task: (index: number) => Promise<T>,
	stopOnError: boolean,
): Promise<Array<Settled<T> | undefined>> {
	const results: Array<Settled<T> | undefined> = Array.from({ length: count }, () => undefined);
	let next = 0;
	let failed = false;
	const worker = async () => {
		while (next < count && !(stopOnError && failed)) {
			const index = next++;
			try {
				results[index] = { ok: true, value: await task(index) };
			} catch (error) {
				results[index] = { ok: false, error };
				failed = true;
			}
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker);
	await Promise.all(workers);
	return results;
}
