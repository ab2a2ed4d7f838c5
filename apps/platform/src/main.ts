import { x } from "@pcp/auth";
console.log(x);
