/** Gupshup's API: its host, and the app ids that go into its paths. */

export const GUPSHUP_DEFAULT_BASE_URL = 'https://api.gupshup.io';

/** Gupshup's app ids are UUIDs (not the app name): they go into the URL path. */
export const APP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
