-- First-party analytics of the public pages, counted only for visitors who allowed analytics cookies.
-- Aggregates only: how many times each page was viewed on each London day, and how many browsers
-- viewed any page that day. Nothing here identifies a visitor: no address, browser, cookie value or
-- identifier is stored. A page's path is the route's address, with a parameter kept only when it is
-- a public name (a publication's slug, a form's step); any other (a link's token) is written as its
-- name.
CREATE TABLE analytics_page_views (
  day date NOT NULL,
  path text NOT NULL CHECK (char_length(path) BETWEEN 1 AND 500),
  views integer NOT NULL CHECK (views > 0),
  PRIMARY KEY (day, path)
);

-- Browsers counted once per London day: the analytics cookie holds only the day it was last counted.
CREATE TABLE analytics_visitors (
  day date PRIMARY KEY,
  visitors integer NOT NULL CHECK (visitors >= 0)
);
