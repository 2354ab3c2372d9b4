-- Reserved for another branch's migration (numbers are assigned by the
-- lead). This placeholder keeps versions gapless on this branch; it is
-- deleted when the real 0008 is merged.
SELECT 1;
