vcl 4.1;

# Front cache for newsroom (docs/deploy.md). The app says what may be cached:
#   - public pages answer "Cache-Control: public, max-age=0, s-maxage=N" and
#     "X-Cache-Tags: pages" (newsroom/pagecache.py); N never outlives the next scheduled
#     publication, so Varnish needs no clock of its own;
#   - every change to public content sends "BAN" with "X-Ban-Tag: pages" from the app
#     (FRONT_CACHE_PURGE_URLS), which retires every cached page at once;
#   - anything else (admin, donate flow, previews, search, CSRF tokens, health, in either
#     language: /es/donate/ too) is passed.
# A reader with a session or a flash message (cookies "sessionid", "messages") is passed
# to the app, which renders their own page; every other reader's cookies are dropped, so
# the page they get is the one everybody gets.

# Replaced by scripts/front-cache.sh (and the tests) with the app's address.
backend default {
    .host = "__BACKEND_HOST__";
    .port = "__BACKEND_PORT__";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may send BAN: the app servers. Widen to their private network in production.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (!client.ip ~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (req.http.X-Ban-Tag !~ "^[a-z0-9-]+$") {
            return (synth(400, "X-Ban-Tag required"));
        }
        # Only obj.* in the expression: the ban lurker can then clear objects in the
        # background instead of testing them on every lookup.
        ban("obj.http.X-Cache-Tags ~ (^|,\s*)" + req.http.X-Ban-Tag + "($|,)");
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Spanish pages live under /es/ (the language is in the URL, never in a header, so the
    # URL alone is the cache key): /es/donate/ and /es/search/ are passed like /donate/.
    if (req.url ~ "^(/es)?/(admin|donate|preview|search|csrf-token|healthz|readyz)(/|\?|$)") {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (bereq.url ~ "^/static/") {
        return (deliver);  # hashed file names, long max-age from WhiteNoise
    }
    if (!beresp.http.X-Cache-Tags || beresp.http.Set-Cookie) {
        # Not a public page: remember not to cache it for a while (hit-for-miss).
        set beresp.uncacheable = true;
        set beresp.ttl = 60s;
        return (deliver);
    }
    # s-maxage from the app is the TTL (Varnish reads it itself); keep serving a page a
    # little while after it expired if the app is briefly down.
    set beresp.grace = 30s;
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Front-Cache = "hit";
    } else {
        set resp.http.X-Front-Cache = "miss";
    }
    unset resp.http.X-Cache-Tags;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
