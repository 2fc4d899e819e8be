select * from "events" where "account_id" = $1 order by "seq" desc limit $2

select * from "events" where "account_id" = $1 and "type" = $2 and exists (select "a"."id" from "accounts" as "a" where "a"."id" = "events"."account_id" and "a"."pharmacy_id" = $3) and "seq" < $4 order by "seq" desc limit $5
