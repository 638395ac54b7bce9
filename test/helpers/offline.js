'use strict';

/**
 * Provider APIs intercepted by nock and nothing else reachable: every test starts with no
 * interceptors left over and the network closed (loopback too, unless `localServers` says a
 * test's own local servers may be reached). Call it at the top of a test file.
 */

const nock = require('nock');

function providersOffline({ localServers = false } = {}) {
	beforeEach(() => {
		nock.cleanAll();
		nock.disableNetConnect();
		if (localServers) nock.enableNetConnect('127.0.0.1');
	});
	afterAll(() => {
		nock.abortPendingRequests();
		nock.enableNetConnect();
	});
}

module.exports = { providersOffline };
