-- File names are stored without control characters or the bidirectional formatting characters that
-- can make a name read as something else ("invoice", U+202E, "fdp.exe" shown as "invoiceexe.pdf"):
-- names stored before the files service took them out are cleaned the same way.
UPDATE documents
   SET filename = COALESCE(
         NULLIF(btrim(regexp_replace(filename, '[\u0001-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069"]', '', 'g')), ''),
         'document')
 WHERE filename ~ '[\u0001-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069"]';
