/** Meta's Graph API: its host, and the versions and ids that go into its paths. */

export const META_DEFAULT_BASE_URL = 'https://graph.facebook.com';

/** Graph API versions as Meta spells them in the path. */
export const API_VERSION = /^v\d{1,3}\.\d{1,3}$/;

/** Phone number ids are numeric Graph ids (they go into the URL path). */
export const PHONE_NUMBER_ID = /^\d{1,30}$/;
