"""The wording the assistant recognises in alert titles and descriptions.

Alert text is vendor- and analyst-written English; each pattern names one fact of the
decision rules. `negated()` drops a match preceded by a negation ("no user clicked",
"not delivered"), so a sentence denying a fact never asserts it.
"""

from __future__ import annotations

import re

from .embedded_json import as_field_lines

_I = re.IGNORECASE

NEGATION = re.compile(r"(\b(no|not|never|without|none|nor|zero|neither|nothing|nobody)\b|n't\b)", _I)
# "0 successful sign-ins" denies like "no successful sign-ins": a zero standing alone as a
# count, up to two words before the fact (not the last digit of "10.0.0.0", "2.0", "10:00").
ZERO_COUNT = re.compile(r"(?:^|(?<=[\s(]))0\s+(?:[\w-]+\s+){0,2}$")
# ... but not a zero that is a code's value ("ResultType 0 success", "status: 0").
CODE_LABEL = re.compile(r"(?:code|type|status|result|error|level|id)\s*[:=]?\s*$", _I)
# "successful authentications: 0", "Successful logins from this source: none": a zero written
# as the fact's value also denies it.
ZERO_VALUE = re.compile(
    r"(?:\s+(?!\w*(?:code|type|status|result|error|level|id)\b)\w{1,10}){0,4}\s*[:=]\s*(?:0|none)\b(?![.,]\d)",
    _I,
)
CLAUSE_BREAK = re.compile(r"[.;,:!?()]|\b(and|but|then|while|after|before|which|that)\b", _I)

RECON = re.compile(
    r"\b(scan(?:s|ned|ning|ner)?|port[- ]?sweep\w*|(?:ping |host |network )?sweep(?:s|ing)?|crawl\w*"
    r"|scrap(?:e|es|ed|ing|er)\b|spider\w*|enumerat\w*|sequential\w*|in sequence|one after (?:another|the other)"
    r"|increment(?:ing|ed|al) (?:ids?|page|object|numbers?)|iterat\w* (?:over|through)|walk(?:ed|ing)? (?:through|the)"
    r"|zone[- ]walk\w*|nsec walk\w*|harvest\w*|prob(?:e|es|ed|ing)\b|fuzz(?:ing|ed|er|ers|es)?\b|dirbust\w*|directory brute\w*"
    r"|forced[- ]browsing|path (?:discovery|brute\w*)|wordlist|reconnaissance|recon\b|footprint\w*"
    r"|zone transfer|axfr|vrfy|rcpt to probing|user enumeration|mapp(?:ed|ing) (?:the |our )?(?:network|site|api|directory)"
    r"|paginat\w* through|mirror(?:ed|ing) the|bulk (?:lookup|query|queries|ldap)"
    r"|\b(?:across|over|through) (?:all|every) (?:\d+ )?(?:prefixes|folders|buckets|directories|repositories|repos|sites|shares)"
    # "listed across 14 namespaces", "37 distinct paths under kv/data/erp/ read", "Path walk".
    r"|\bacross \d+ (?:namespaces|projects|subscriptions|accounts|tenants|buckets|repositories|clusters)\b"
    r"|\b\d+ distinct (?:paths|keys|secrets|objects|endpoints|namespaces)\b|\bpath[- ]walk\w*"
    r"|(?:pages?|ids?|offsets?|objects?)\s*=?\s*#?\d+\s*(?:\.\.|to|-|\u2013|through|thru)\s*[?&]?(?:(?:page|id|offset)\s*=?\s*)?\d+"
    r"|/\d+\s*(?:\.\.|to|-|\u2013|through|thru)\s*(?:/[\w.-]+)*/\d+\b"  # "/v1/suppliers/1 through /v1/suppliers/400"
    r"|nmap|masscan|zmap|nikto|gobuster|dirb\b|ffuf|feroxbuster|wpscan|sqlmap"
    r"|headless (?:browser|chrome)|bot-like|\bbots? (?:traffic|activity)|bad bot|likely automated|automated traffic"
    r"|rotating (?:user[- ]agents?|ips?|proxies|addresses)"
    r"|(?:\d{1,3}(?:,\d{3})+|\d{4,}) (?:http )?requests (?:in|within) \d+ (?:s|sec|min)"  # 1,000+ in minutes
    r"|automated (?:collection|scraping|harvest\w*|enumeration|requests|queries|crawl\w*|download\w* of)"
    # Listing calls repeated ("ListObjectsV2 x43"), and a finding typed as discovery
    # (GuardDuty's "Discovery:S3/...": an attempt to learn what the systems hold).
    r"|(?:list|describe|enumerate)[a-z]*(?:v\d)?\s*(?:x|\u00d7)\s*\d{2,}|discovery:[a-z0-9]+/)",
    _I,
)
_RELATIONSHIP_NOUNS = (
    r"suppliers?|vendors?|partners?|subcontractors?|sub-contractors?|contractors?|distributors?|resellers?|carriers?"
    r"|(?:freight )?forwarders?|hauliers?|shippers?|manufacturers?|wholesalers?"
    r"|logistics providers?|service providers?|clients?|customers?|signator\w*|contacts?|contact persons?"
    r"|account managers?|key personnel|decision[- ]makers?|org(?:ani[sz]ation(?:al)?)? chart|who you work with"
    r"|supply chain|business relationships?|customer list"
)
SOLICITATION = re.compile(
    r"\b(request\w*|ask\w*|seek\w*|solicit\w*|send (?:us|me|over|the|a|your|our)|please send|share|provide|forward"
    r"|(?:please |kindly )?confirm|(?:please|kindly) (?:verify|update us on|list)|reply with|respond with|let us (?:know|have)"
    r"|compile|looking for|would like|need\w*|requir\w*|obtain|collect\w*|gather\w*|wants? (?:to (?:know|receive|get))"
    r"|inquir\w*|enquir\w*|questionnaire|survey)\b(?!\s+(?:from|by)\b)(?:[^.?!]|\.(?=\w)){0,90}?\b("
    + _RELATIONSHIP_NOUNS
    # Not a system named after them ("supplier-portal password expires").
    + r")\b(?![-\u2010](?:portal|site|hub|login|app|system|platform|web|onboarding)\b)"
    r"|\b(?:supplier|vendor|partner|customer|contact|distributor|subcontractor|carrier)s?\s+"
    r"(?:list|contacts|details|directory|names|register|roster|database|master data|overview|spreadsheet)\b"
    r"(?:[^.?!]|\.(?=\w)){0,40}\b(?:request\w*|asked|solicit\w*|sought|wanted)\b"
    r"|\b(?:request\w*|ask\w*|solicit\w*)\s+(?:for\s+)?(?:a|an|the|our|your)?\s*(?:complete\s+|full\s+|current\s+)?"
    r"(?:supplier|vendor|partner|customer|contact|distributor|subcontractor)s?\s+"
    r"(?:list|roster|directory|register|database|contacts|names)\b",
    _I,
)
COMMUNICATION = re.compile(
    r"\b(e-?mails?|mail|sender|phish\w*|lure|linkedin|social[- ]media profile|invitation"
    r"|connection request|direct message|inmail|voicemail|phone call|caller|sms|whatsapp|reply-?to|newsletter"
    r"|questionnaire|teams message|chat message|instant message)\b",
    _I,
)
CLEAN_VERDICT = re.compile(
    r"\bno threats? (?:were |was )?(?:found|detected|identified)|\bverdict\W{1,3}(?:clean|benign|safe|allowed|no threats?)"
    r"|\b(?:classified|determined|marked|confirmed) (?:as )?(?:clean|benign|safe|legitimate|not malicious)"
    r"|\bfalse positive|\bbenign positive",
    _I,
)
FRAUD = re.compile(
    r"\b(phish\w*|fraud\w*|scam\w*|impostor|imposter|malicious (?:link|attachment|url|macro|file|document|html)"
    r"|credential[- ]harvest\w*|invoice scam|bec\b|business e-?mail compromise|malware|ransomware|trojan|payload"
    r"|qr[- ]code lure|gift cards?|urgent (?:wire|payment|transfer))",
    _I,
)
IMPERSONATION = re.compile(
    r"\b(impersonat\w*|imposter|impostor|posing as|poses as|pretend\w*|purport\w* to|disguised as|mimic\w*|imitat\w*"
    r"|claim(?:s|ed|ing)? to (?:be|represent|work for|come from)|appears? to come from|spoof\w*|typo-?squat\w*"
    r"|cousin domain|homoglyph\w*|look-?alike (?:domain|sender|address|site|page)|brand (?:abuse|impersonation)"
    r"|(?:fake|fraudulent|bogus|cloned|counterfeit)\b(?:[^.]|\.(?=\w)){0,30}?\b(?:profile|account|persona|page|website|site|identity|sender)"
    r"|masquerad\w*)",
    _I,
)
DISPLAY_NAME_MISMATCH = re.compile(
    r"display[- ]name\b(?:[^.]|\.(?=\w)){0,80}\b(mismatch\w*|does ?n[o']t match|differs?|different|spoof\w*|impersonat\w*|but|while|yet)"
    r"|\b(mismatch\w*|does ?n[o']t match)\b(?:[^.]|\.(?=\w)){0,40}display[- ]name",
    _I,
)
REPLY_TO_MISMATCH = re.compile(
    r"reply[-_]?to(?:[-_]?address)?\b(?:[^.]|\.(?=\w)){0,60}\b(differs?|different|mismatch\w*|does ?n[o']t match|points? to|set to|redirect\w*|goes to"
    r"|divert\w*|external|free-?mail|gmail|outlook|proton)"
    r"|\b(mismatch\w*|different|diverted)\b[^.]{0,20}reply-?to",
    _I,
)
REPLY_TO_ADDRESS = re.compile(r"reply[-_]?to(?:[-_]?address)?:?\s*<?([\w.+-]+@[\w.-]+\.\w+)", _I)
# An address the data or message went to, written in the text ("e-mailed to x@gmx.de").
RECIPIENT_ADDRESS = re.compile(
    r"(?<!-)\b(?:to|recipients?:?|rcpt to:?|addressed to|cc:?|bcc:?)\s+<?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", _I
)
FROM_ADDRESS = re.compile(r"\bfrom:?\s*(?:\"?[^\"<@]{0,60}\"?\s*)?<?([\w.+-]+@[\w.-]+\.\w+)", _I)
AUTH_RESULT = re.compile(
    r"\b(spf|dkim|dmarc|compauth)((?:\s*(?:,|/|and|&)\s*(?:spf|dkim|dmarc))*)\s*(?:=|:|-)?\s*"
    r"(?:(?:checks?|results?|verification|verdict|status|alignment|evaluation)\s*(?:[:=-]\s*)?)?"
    r"(?:was\s+|were\s+|is\s+|are\s+|=\s*)?(pass(?:ed|es)?|fail(?:ed|s|ure|ures)?|softfail|hardfail|none|neutral)",
    _I,
)
AUTH_RESULT_VERB_FIRST = re.compile(
    r"\b(fail(?:ed|s|ing)?|pass(?:ed|es|ing)?)\s+(?:the\s+)?(spf|dkim|dmarc)((?:\s*(?:,|/|and|&)\s*(?:spf|dkim|dmarc))*)",
    _I,
)
MASS_MAIL = re.compile(
    r"\b(mass[- ]?mail\w*|bulk (?:campaign|phishing|sending)|mass (?:phishing|campaign|mailing|sending)"
    r"|spam (?:wave|run|campaign|outbreak|burst)|outbound spam|mail(?:ing)? blast|e-?mail blast"
    r"|high[- ]volume (?:sending|mail\w*|outbound)|(?:unusual|anomalous|abnormal) (?:sending|outbound mail) volume"
    r"|sent (?:\d[\d,]*|hundreds|thousands) (?:of )?(?:e-?mails|messages)"
    r"|\d[\d,]* (?:e-?mails|messages) (?:from \S+ )?(?:in|within|between) (?:one|an|a|\d+)\b"
    r"|(?:message|mail|e-?mail|sending) (?:burst|spike|surge)|burst of (?:\d[\d,]* )?(?:e-?mails|messages)"
    r"|(?:mail|e-?mail|message|sending) volume\b[^.;]{0,40}\b(?:spik\w*|surg\w*|exceed\w*|unusual|anomal\w*))",
    _I,
)
BANK_CHANGE = re.compile(
    r"\b(bank(?:ing)? (?:details|account|information|change|coordinates)|iban|swift|bic code|sort code|routing number"
    r"|remittance|payment (?:details|instructions|account)|settlement (?:account|details|instructions)"
    r"|wire (?:instructions|details)|change (?:of|in|to) (?:our |the )?(?:bank|banking|payment|remittance)"
    r"|new (?:bank|account|iban|beneficiary) (?:details|number|account)?|beneficiary (?:account|details|change))",
    _I,
)
PERSONAL_DESTINATION = re.compile(
    r"\b(personal|private|home|consumer) (?:e-?mail|mail|web-?mail|address|account|mailbox|inbox|gmail|cloud|drive|storage|dropbox"
    r"|onedrive|google drive|icloud|box|instance|tenant)"
    r"|\b(?:free-?mail|webmail) (?:address|account|mailbox|provider)|\bto (?:his|her|their) own\b"
    r"|\bto (?:an? |the )?(?:external |outside |personal )?(?:free-?mail|webmail)\b"
    r"|\b(?:consumer|personal) (?:e-?mail |mail )?domains?\b"
    r"|\b(?:category|classified(?: as)?|classification)\W{1,3}(?:free-?mail|consumer|web-?mail|personal)\b"
    r"|\((?:external,?\s*)?(?:consumer|personal|free-?mail|private)\)"
    r"|\bunsanctioned\b|\bun(?:approved|managed) (?:file|cloud|share|app\w*|storage|instance)|\bshadow it\b"
    r"|\bnon-?(?:corporate|business|company) (?:e-?mail|address|account|mailbox|cloud|storage|recipient)"
    r"|\b(wetransfer|mega\.nz|mega\.io|transfer\.sh|gofile|anonfiles|file\.io|sendspace|mediafire|4shared|zippyshare)",
    _I,
)
# Accounts or data found in a breach, a combolist or stealer logs: exposed data (Q2 unknown
# when nothing says how), not business data published (E1 asks for that).
EXPOSED = re.compile(
    r"\b(breach (?:exposure|notification)|combo-?lists?|info-?stealer\w*|stealer logs?|credential (?:leak|exposure|dump)s?"
    r"|(?:compromised|exposed|leaked|breached) (?:data|credentials?|accounts?|records)|have i been pwned|pwned)\b",
    _I,
)
# A message that carried no file ("attachments: 0", "no attachment", "text only").
NO_ATTACHMENT = re.compile(
    r"\battachments?\W{1,3}(?:0|none)\b|\bno attachments?\b|\bwithout (?:an? )?attachments?\b", _I
)
# Published content the alert found public already.
ALREADY_PUBLIC = re.compile(
    r"\b(?:compared|match(?:es|ed)?|identical to|same as|already)\b[^.;]{0,80}\bpublic\b"
    r"|\bpublic\b[^.;]{0,80}\b(?:all|every)\b[^.;]{0,40}\bappears?\b",
    _I,
)
PUBLISHED = re.compile(
    r"\b(paste ?site|pastebin|ghostbin|dark[- ]?web|\.onion\b|leak site|breach(?:ed)? forum|hacker forum|ransomware leak"
    r"|(?:published|posted|dumped|shared|exposed|listed|offered|leaked|uploaded|sold)\s+(?:for sale\s+)?(?:on|to|in|via)\s+"
    r"(?:a\s+|an\s+|the\s+)?(?:public|open|paste|underground|criminal|hacker|telegram|forum|github|gist|s3|breach|leak|dark"
    r"|\w*forums?\b)|breachforums|raidforums"
    # A file opened to the world: public or anonymous sharing links.
    r"|anyone with the link|(?:public|anonymous) (?:sharing )?links?|shared publicly|made public"
    r"|(?:visibility|sharing|access) (?:changed|set) to public|public on the web"
    r"|publicly (?:accessible|exposed|readable|listed|available online)|public (?:s3 )?bucket"
    r"|found (?:on|in) (?:a\s+)?(?:public|open|paste|underground|forum)|for sale|data leak(?:ed)? online)",
    _I,
)
EXFILTRATION = re.compile(
    r"\b(exfiltrat\w*|exfil\b|data theft|data leak\w*|data loss event|stolen data|smuggl\w*|data staging)", _I
)
# Verbs and nouns of data moving: inflections are matched by stem, not listed.
TRANSFER = re.compile(
    r"\b(export\w*|download\w*|upload\w*|e-?mail(?:ed|ing)|mail(?:ed)|sent|send(?:s|ing)?|forward\w*|transferr?\w*"
    r"|transmit\w*|copied|cop(?:y|ies|ying)|sync\w*|egress|outbound|attach\w*|shar(?:ed|ing)(?: externally)?"
    r"|dump\w*|extract\w*|exfiltrat\w*|exfil|unload\w*|clon(?:e|es|ed|ing)|(?:get|copy) ?objects?|moved|pulled|scraped|harvested|retriev\w*|fetch\w*|returned|leaked"
    r"|pushed|posted|sav(?:ed|ing) to|wrote to|written to|removable (?:media|drive|storage)|usb|mass storage"
    r"|external (?:drive|disk|hdd|ssd)|thumb drive|memory stick|bulk (?:api )?(?:quer(?:y|ies)|reads?|pulls?)|api pull)\b",
    _I,
)
ABNORMAL_VOLUME = re.compile(
    r"\b(unusual\w*|anomal\w*|abnormal\w*|atypical|unexpected|excessive\w*|spike\w*|surge|burst|outlier"
    r"|exceed\w*|mass (?:download|export|copy|deletion|access)|bulk (?:download|export|copy|access)"
    r"|(?:above|over|higher than|more than) (?:the |its |their |his |her )?(?:baseline|normal|usual|average|typical)"
    r"|outside (?:the |its )?(?:normal|usual|baseline|pattern)"
    r"|\d+(?:\.\d+)?\s*(?:x|times)\b[^.;]{0,30}\b(?:usual|normal|baseline|average|daily|typical|mean)|deviat\w*)",
    _I,
)
# Something seen for the first time (a new source, device or sender): not the usual pattern,
# but no unusual volume either.
NOVELTY = re.compile(
    r"\b(first[- ]time|never (?:before|seen|observed)|first (?:ever|seen)|no (?:prior )?history"
    r"|new (?:device|ip|source|location|country|client|sender|user agent))\b"
    # A baseline of nothing: "0 downloads of LFBK in the last 30 days".
    r"|\b(?:0|zero|no)\s+(?:prior\s+|previous\s+)?(?:[\w-]+\s+){1,3}?(?:in|during|over|within)\s+the\s+"
    r"(?:last|past|previous|prior)\s+\d+\s+(?:days|weeks|months)\b",
    _I,
)
# When, not how much: access outside the working day deviates from the usual pattern, but it
# is not by itself an unusual volume (the rules' E3 asks for off-hours *bulk* access).
OFF_HOURS = re.compile(
    r"\b(?:outside|after|out of) (?:the |its |normal |usual )*(?:business|working|office) hours"
    r"|\boff-?hours\b|\b(?:at night|overnight|during the night|outside (?:the |its )?(?:usual )?schedule)",
    _I,
)
# Periodic monitoring: the same check at a fixed interval is not a burst of activity.
PERIODIC = re.compile(
    r"\bevery\s+\d*\s*(?:s|secs?|seconds?|mins?|minutes?)\b|\bonce (?:a|per|every) (?:second|minute)\b"
    r"|\bheart-?beats?\b|\bhealth[- ]?checks?\b|\buptime ?(?:monitor\w*|checks?|robot)|\bkeep-?alive"
    r"|\bsynthetic (?:monitor\w*|checks?|tests?|transactions?)|\b(?:liveness|readiness) (?:probe|check)s?\b"
    r"|\bsynthetics\b|\b(?:avg_|mean_)?interval(?:_?s(?:ec(?:onds)?)?)?\s*[=:]\s*\d|/health(?:z|check)?\b",
    _I,
)
PROBE_WORD = re.compile(r"\bprob(?:e|es|ed|ing)\b", _I)
# A sentence that also states an abnormal volume ("40x its baseline") is not normal: see alert_reading.
# A normal pattern stated as daytime: activity outside the working day departs from it.
DAYTIME = re.compile(
    r"\b(?:business|working|office) hours\b|\bdaytime\b|\bduring the (?:work(?:ing )?)?day\b", _I
)
# A routine's stated hours ("normal pattern: ~35 objects per 5 min during 08:00-17:00 UTC").
HOUR_WINDOW = re.compile(r"\b([01]?\d|2[0-3]):[0-5]\d\s*(?:-|\u2013|to)\s*([01]?\d|2[0-3]):[0-5]\d\b")
# A sign-in that never completed: the password was right but the second factor denied, or
# no session was issued ("Duo Push DENIED", "login not completed, no session or token issued").
SIGN_IN_NOT_COMPLETED = re.compile(
    r"\b(?:log-?in|sign-?in|authentication) (?:was )?not completed\b|\bno session (?:or token )?(?:was )?(?:issued|created|established)"
    r"|\b(?:mfa|2fa|second factor|duo|okta verify|push)\b[^.;|\n]{0,30}?\bdenied\b",
    _I,
)
# A sign-in's outcome written as a field ("outcome.result=SUCCESS", "signInStatus: success").
OUTCOME_FIELD = re.compile(
    r"\b(?:outcome(?:\.result)?|sign-?in ?status|log-?[io]n ?status|auth(?:entication)? ?(?:status|result)|status)"
    r"\s*[=:]\s*[\"']?(success|failure)\b",
    _I,
)
SIGN_IN_EVENT = re.compile(r"\b(?:sign-?in|log-?in|logon|session\.start|authn|authenticat\w*)", _I)
# The text says whose an account is: "fa.jmorales (partner-issued, Fenwick & Auer LLP)".
ISSUED_TO = re.compile(
    r"\b(?:partner[- ]issued|issued to|partner(?:'s)? account|guest (?:account|user) (?:of|from)|external (?:user|account) (?:of|from))",
    _I,
)
NORMAL_VOLUME = re.compile(
    r"\b(routine|scheduled|nightly|hourly|daily|weekly|monthly|quarterly|recurring|regular|usual|as usual|baseline"
    r"|typical (?:for|of)|normal for"
    r"|as every|as expected|expected|planned|normal (?:volume|pattern|activity)|same volume as|in line with"
    r"|consistent with (?:the |its )?(?:baseline|history|usual)|within (?:the |its )?(?:normal|usual|baseline|agreed)"
    r"|previous (?:runs?|exports?|transfers?|syncs?|jobs?)|match(?:es)? (?:the |its )?schedule)",
    _I,
)
PUBLIC_ONLY = re.compile(
    r"\b(public(?:ly available)? (?:'[^']{1,40}' |\"[^\"]{1,40}\" |(?!paste|leak|file|shar|forum|code|git|repo|bucket|cloud)[\w-]+ )?(?:pages?|site|website|web ?site|profile|listing|directory|press|content|information"
    r"|catalogue|catalog|showcase|brochure|product pages?|api docs|documentation)|publicly available"
    r"|marketing (?:site|pages?)|press (?:release|page)|only public|public-facing|landing page|robots\.txt|sitemap"
    r"|public paths?|(?:all|every) (?:paths?|pages?|urls?|resources?) (?:were |are |is )?public\b)",
    _I,
)
CONFIDENTIAL = re.compile(
    r"\b(confidential|internal[- ]only|internal use|non-public|not public|restricted|sensitive|proprietary|secret"
    r"|classified|price ?lists?|pricing|prices|rate ?cards?|quotes?|tenders?|bids?|contracts?|nda|master data"
    r"|suppliers?|vendors?|partners?|customers?|clients?|contacts?|crm|payroll|salar\w*|headcount|employees?"
    r"|personal data|pii|financ\w*|invoices?|bank)\b",
    _I,
)
SUCCESS_LOGIN = re.compile(
    r"\b(?:log-?ins?|log-?ons?|sign-?ins?|signinlogs|authentications?)\b(?:(?!fail|\bnot?\b|never|none|without|n't)(?:[^.;]|\.(?=\S))){0,80}?"
    r"\b(?:succeeded|successful|success|accepted|granted|ok)\b"
    r"|\bsuccessful(?:ly)?\s+(?:\w+\s+)?(?:log-?ins?|log-?ons?|sign-?ins?|authenticat\w*|signed in|logged (?:in|on))"
    r"|\b(?:signed|logged) (?:in|on)\b|\bauthenticated (?:successfully|as)\b|\bsession (?:established|opened|started)\b"
    r"|\baccess granted\b|\b(?:log-?in|sign-?in|logon) (?:ok|success)\b|\baccepted (?:password|publickey|keyboard-interactive)"
    r"|\bcredentials?\b[^.;|]{0,40}?\bused (?:from|outside|by)\b|\baudit success\b|\bevent (?:id )?4624\b|\bmfa (?:push |prompt )?(?:satisfied|completed|approved|passed)|\bmfa requirement satisfied",
    _I,
)
CREDENTIALS_SUBMITTED = re.compile(
    r"\b(credentials?|passwords?|log-?in details|usernames? and passwords?)\s+(?:were\s+|was\s+|had been\s+|have been\s+)?"
    r"(submitted|entered|captured|harvested|typed|posted|phished|stolen|provided|given)"
    r"|\b(submitted|entered|typed|provided|gave|disclosed)\s+(?:his|her|their|the|a)?\s*(?:\w+\s+){0,2}?(credentials?|passwords?)"
    r"|\b(?:submitted|filled in|completed) (?:the |a )?(?:fake |phishing )?(?:log-?in|sign-?in) (?:form|page)"
    r"|\bcredential[- ](?:submission|capture|theft|post)\b|\bpost(?:ed)? (?:the )?credentials\b"
    # "a form POST (username + password fields)", "form submission with password field"
    r"|\bform[- ](?:post|submission|submit)\w*\b[^.;|]{0,40}?\bpassword\b"
    r"|\b(?:submitted|posted)\b[^.;|]{0,30}?\b(?:username|e-?mail) (?:\+|and|&) password\b",
    _I,
)
# The owner's own sign-in: confirmed by them, or a risk the owner's second factor remediated
# on the owner's managed device ("riskState=remediated (user passed MFA)", "Intune compliant").
OWNER_CONFIRMED = re.compile(
    r"\b(confirmed ?safe|this was me|it was me|(?:user|owner) (?:has )?confirmed|confirmed by the (?:user|owner)"
    r"|dismissed as (?:benign|legitimate) by the user"
    r"|risk ?state\W{1,3}remediated\b(?=[^.;|]{0,40}\b(?:mfa|multi-?factor|password (?:change|reset)))"
    r"|(?:intune|mdm)[- ](?:compliant|managed)|compliant (?:and )?(?:managed )?device)",
    _I,
)
# An account used from two places at once, or its session taken: the rules' "concurrent use
# from the owner's network and an unknown source" (Q3, E2).
CONCURRENT_USE = re.compile(
    r"\b(impossible travel|atypical travel|concurrent (?:sessions?|log-?ins?|use)|simultaneous (?:sessions?|log-?ins?)"
    r"|two (?:distant )?locations|session (?:hijack\w*|token (?:theft|replay)|cookie (?:theft|replay))|token replay"
    r"|anomalous token|adversary-in-the-middle|aitm\b|mfa fatigue)",
    _I,
)
# An account's use the product finds odd, which alone does not say someone else used it
# ("unfamiliar sign-in properties", "suspicious session"): Q3 unknown when its origin is
# not recorded.
ACCOUNT_ANOMALY = re.compile(
    CONCURRENT_USE.pattern
    + r"|\b(?:atypical (?:sign-?in|log-?in) location|unfamiliar (?:sign-?in|location)\w*|suspicious (?:session|sign-?in|log-?in)s?)",
    _I,
)
# Anonymising infrastructure as vendors name it (Tor, VPN exits, open or residential
# proxies, hosting and VPS address space): not the activity's usual pattern.
ANONYMISER = re.compile(
    r"\b(tor(?: exit| node| relay| network| browser)?\b|anonymi[sz](?:ing|er|ed|ation)\w*|anonymous (?:proxy|ip|vpn)"
    r"|open proxy|residential proxy|proxy (?:pool|network)|vpn (?:exit|provider|service|endpoint)|commercial vpn"
    r"|hosting (?:asn|provider|network|range)|data ?cent(?:er|re) (?:ip|asn|range|address)|bulletproof hosting|\bvps\b)",
    _I,
)
LOGIN_ATTACK = re.compile(
    r"\b(brute[- ]?forc\w*|credential[- ]stuffing|password[- ]spray\w*|credential[- ]spray\w*|spraying attack"
    r"|password guessing|dictionary attack)",
    _I,
)
AUTHORISED = re.compile(
    r"\b(authori[sz]ed|approved|pre-?approved|sanctioned|allow-?listed|whitelisted|in scope|agreed|contracted"
    r"|pen(?:etration)?[- ]?test\w*|red[- ]team|scheduled scan|change (?:ticket|request)|chg-?\d+|maintenance window"
    r"|exception granted|known (?:scanner|activity))",
    _I,
)
OUTCOMES = {
    "blocked": re.compile(
        r"\b(quarantin\w+|blocked|rejected|dropped|denied|stopped|prevented|deleted before delivery|held|discarded"
        r"|sinkholed|purged|moved to (?:junk|spam|quarantine)|(?:action|verdict|disposition)\W{1,3}"
        r"(?:block|deny|drop|reject|quarantine|hold|discard))\b",
        _I,
    ),
    "delivered": re.compile(
        r"\b(?<!un)(delivered|landed in (?:the )?inbox|reached (?:the )?inbox|in the inbox|released to)\b", _I
    ),
    "clicked": re.compile(
        r"\b(click(?:ed|s)?|opened the link|visited the (?:link|url)|followed the link)\b", _I
    ),
    "replied": re.compile(r"\b(replied|responded|answered|sent back|wrote back|reply sent)\b", _I),
}


def negated(text: str, start: int) -> bool:
    """Whether the words just before `start` deny what follows ("no", "not", "without", a
    zero count)."""
    zero = ZERO_COUNT.search(text[:start])
    if zero and not CODE_LABEL.search(text[: zero.start()]):
        return True
    window = text[max(0, start - 30) : start]
    breaks = list(CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return bool(NEGATION.search(window))


def affirmed(pattern: re.Pattern, text: str) -> re.Match | None:
    """The first match of `pattern` in `text` that is not negated."""
    for match in pattern.finditer(text):
        if not negated(text, match.start()) and not ZERO_VALUE.match(text, match.end()):
            return match
    return None


def sentences(text: str) -> list[str]:
    """Sentences of a title or description (split after . ! ? ; at a line break, or at a
    " | " between fields, as Splunk and syslog join them); a JSON object in the text gives
    a sentence per field."""
    parts = re.split(r"(?<=[.!?;])\s+|\n+|\s+\|\s+", as_field_lines(text))
    return [p.strip() for p in parts if p and p.strip()]


def quote(text: str, limit: int = 180) -> str:
    """The sentence as cited, shortened at a word boundary with an ellipsis when needed."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
