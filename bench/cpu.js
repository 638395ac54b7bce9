'use strict';

/**
 * CPU time on this (Linux) machine, for benchmarks on a shared machine: per process tree (an n8n
 * process with its task runner, PostgreSQL with its backends, Redis) and for the whole machine, so
 * a measurement can say what it cost and how busy everything else kept the cores.
 *
 *   const before = cpuSnapshot({ webhook: pid1, postgres: pid2 });
 *   ...
 *   const used = cpuUsed(before, cpuSnapshot({ webhook: pid1, postgres: pid2 }));
 *   // { wallMs, groups: { webhook: ms, postgres: ms }, machineBusyMs, cores }
 */

const fs = require('node:fs');
const os = require('node:os');

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

/** Every process: its parent and its utime + stime (ms). */
function processes() {
	const list = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // gone meanwhile
		}
		// The command name is in parentheses and may hold spaces: fields are counted after it.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		list.push({ pid: Number(entry), parent: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS });
	}
	return list;
}

/** The CPU ms of a process and all its descendants (n8n's task runner, PostgreSQL's backends). */
function treeCpu(list, root) {
	const children = new Map();
	for (const each of list) children.set(each.parent, [...(children.get(each.parent) || []), each]);
	let total = list.find((each) => each.pid === root)?.ms || 0;
	const pending = [...(children.get(root) || [])];
	while (pending.length) {
		const next = pending.pop();
		total += next.ms;
		pending.push(...(children.get(next.pid) || []));
	}
	return total;
}

/** Busy (non-idle, non-iowait) ms of all cores together, from /proc/stat. */
function machineBusyMs() {
	const [cpu] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
	const ticks = cpu.split(/\s+/).slice(1).map(Number);
	const total = ticks.reduce((sum, each) => sum + each, 0);
	return (total - ticks[3] - ticks[4]) * TICK_MS;
}

/** The CPU ms so far of each named process tree (`{ name: root pid }`), the machine's busy ms, and the time. */
function cpuSnapshot(leaders) {
	const list = processes();
	const groups = Object.fromEntries(Object.entries(leaders).map(([name, pid]) => [name, treeCpu(list, pid)]));
	return { at: performance.now(), groups, machineBusyMs: machineBusyMs() };
}

/** What was used between two snapshots: per group and on the whole machine (its busy share of all cores too). */
function cpuUsed(before, after) {
	const wallMs = after.at - before.at;
	const groups = Object.fromEntries(Object.keys(after.groups).map((name) => [name, after.groups[name] - (before.groups[name] || 0)]));
	const busyMs = after.machineBusyMs - before.machineBusyMs;
	const cores = os.cpus().length;
	return { wallMs, groups, machineBusyMs: busyMs, cores, machineBusyShare: Number((busyMs / (wallMs * cores)).toFixed(2)) };
}

module.exports = { cpuSnapshot, cpuUsed };
