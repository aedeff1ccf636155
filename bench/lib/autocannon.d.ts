// autocannon ships no types; the runner uses a small, typed corner of it (see load.ts).
declare module 'autocannon';
