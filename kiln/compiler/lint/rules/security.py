"""Lint rules: security. Secrets shown in clear or written into the template, user data that
carries credentials, security groups open to the world, servers and ports whose firewall is
left to the project's default group."""

from kiln.compiler.diagnostics import Autofix
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import AllowedValues
from kiln.compiler.lint.edits import append_entry
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules import _exposure, _user_data
from kiln.compiler.lint.rules._secrets import (
    DYNAMIC_REFERENCE,
    SECRET_PROPERTIES,
    is_secret_name,
    key_material,
    may_hold_secret,
    secret_parameters,
    secret_sinks,
)
from kiln.compiler.lint.rules._walk import (
    get,
    has,
    key_span,
    literal,
    located,
    resource_path,
    resources,
    section,
    sub_span,
    text,
    written_key,
)
from kiln.compiler.passes.sites import expressions


def _hidden_key(context: RuleContext) -> str:
    return "hidden" if context.dialect == "hot" else "NoEcho"


@rule(
    "SEC001",
    "secret-parameter-not-hidden",
    Severity.WARNING,
    "A password-like parameter that is not hidden (HOT) or NoEcho (CloudFormation).",
    message="parameter {parameter!r} {why}, but it is not {key}: its value is shown in clear",
    fixable=True,
    doc="""\
Heat shows every parameter's value in `openstack stack show`, in the dashboard, in events and
in logs, unless the parameter is `hidden: true`; CloudFormation does the same unless it is
`NoEcho: true`. A parameter whose name says password, secret, token, passphrase or private key,
or that is passed as it is to such a property (`admin_pass`, `MasterUserPassword`), is taken to
be a secret. The autofix adds `hidden: true` (`"NoEcho": true`), which changes nothing else:
the value is still passed the same way.

Bad:
```yaml
parameters:
  db_password:
    type: string
```
Good:
```yaml
parameters:
  db_password:
    type: string
    hidden: true
```
CloudFormation: `DBPassword: {Type: String, NoEcho: true}`. When a parameter says
`hidden: false` on purpose, there is no autofix; suppress the finding if that is really meant.""",
)
def secret_parameter_not_hidden(context: RuleContext) -> None:
    sinks = secret_sinks(context)
    key = _hidden_key(context)
    source = context.source
    for name, parameter in context.template.parameters.items():
        if parameter.hidden or not may_hold_secret(parameter):
            continue
        if is_secret_name(name):
            why = "looks like a secret"
        elif name in sinks:
            resource, prop = sinks[name]
            why = f"is passed to {prop!r} of {resource!r}"
        else:
            continue
        autofix = None
        explicit = written_key(source, parameter.span, key)
        if source is not None and parameter.span is not None and not explicit:
            try:
                edit = append_entry(source, parameter.span, key, "true")
            except ValueError:
                edit = None
            if edit is not None:
                autofix = Autofix(f"add `{key}: true` to parameter {name!r}", (edit,), safe=True)
        context.report(
            parameter.name_span,
            (section(context.template, "parameters"), name),
            autofix=autofix,
            parameter=name,
            why=why,
            key=key,
        )


@rule(
    "SEC002",
    "secret-parameter-default",
    Severity.WARNING,
    "A secret parameter with a default value written in the template.",
    message="parameter {parameter!r} is a secret with a default value written in the template",
    doc="""\
A default is part of the template: it is in version control, in `openstack orchestration
template show`, and the same on every stack created from it, so it is not a secret at all,
`hidden` or not. Give the value at deployment (`-P`, an environment file kept out of the
repository, Barbican), or generate it with `OS::Heat::RandomString`. An empty default (`''`)
is allowed, as are CloudFormation dynamic references (`{{resolve:secretsmanager:...}}`).

Bad:
```yaml
  admin_password:
    type: string
    hidden: true
    default: Passw0rd
```
Good: no default, and `-P admin_password=...` or `parameter_defaults` in a private
environment file; or `{get_attr: [generated_password, value]}` from an
`OS::Heat::RandomString`.""",
)
def secret_parameter_default(context: RuleContext) -> None:
    # By its name or its use, not `hidden` alone: authors hide paths and user names too.
    sinks = secret_sinks(context)
    for name, parameter in context.template.parameters.items():
        default = parameter.default
        if not isinstance(default, e.Str) or not may_hold_secret(parameter):
            continue
        if not is_secret_name(name) and name not in sinks:
            continue
        value = default.value.strip()
        if not value or DYNAMIC_REFERENCE.search(value):
            continue
        where = (
            section(context.template, "parameters"),
            name,
            section(context.template, "default"),
        )
        context.report(default.span or parameter.name_span, where, parameter=name)


@rule(
    "SEC003",
    "hidden-parameter-allowed-values",
    Severity.WARNING,
    "A hidden parameter whose allowed values list the secret in the template.",
    message="hidden parameter {parameter!r} lists its {key}, so the secret is one of them, "
    "in clear",
    doc="""\
`allowed_values` (CloudFormation `AllowedValues`) on a `hidden`/`NoEcho` parameter writes the
possible secrets into the template, where anyone who can read it can try them all; Heat also
names them in its validation error. Constrain a secret by its shape instead (`length`,
`allowed_pattern`), or make it not a secret.

Bad:
```yaml
  api_token:
    type: string
    hidden: true
    constraints:
      - allowed_values: [alpha-token, beta-token]
```
Good: `- length: {min: 32}` and `- allowed_pattern: "[A-Za-z0-9]+"`.""",
)
def hidden_parameter_allowed_values(context: RuleContext) -> None:
    for name, parameter in context.template.parameters.items():
        if not parameter.hidden:
            continue
        for constraint in parameter.constraints:
            if isinstance(constraint, AllowedValues):
                where = (section(context.template, "parameters"), name)
                key = "allowed_values" if context.dialect == "hot" else "AllowedValues"
                span = constraint.span or parameter.name_span
                context.report(span, where, parameter=name, key=key)


@rule(
    "SEC004",
    "secret-in-output",
    Severity.WARNING,
    "An output whose value contains a hidden parameter.",
    message="output {output!r} shows the value of hidden parameter {parameter!r}",
    doc="""\
Outputs are shown in clear to everyone who can see the stack (`openstack stack output show`,
the dashboard, `aws cloudformation describe-stacks`): an output built from a `hidden` (`NoEcho`)
parameter undoes the hiding. Output what the secret unlocks (an address, a user name), not the
secret itself.

Bad:
```yaml
outputs:
  connection:
    value:
      str_replace:
        template: mysql://app:$PW@$HOST/app
        params: {$PW: {get_param: db_password}, $HOST: {get_attr: [db, first_address]}}
```
Good: output the host and the user; hand out the password through Barbican or the channel it
came from.""",
)
def secret_in_output(context: RuleContext) -> None:
    symbols = context.facts.symbols
    if symbols is None:
        return
    outputs = section(context.template, "outputs")
    parameters = context.template.parameters
    seen: set[tuple[str, str]] = set()
    for ref in symbols.references:
        if ref.kind != "parameter" or not ref.path or ref.path[0] != outputs:
            continue
        parameter = parameters.get(ref.name)
        if parameter is None or not parameter.hidden or (ref.owner, ref.name) in seen:
            continue
        seen.add((ref.owner, ref.name))
        context.report(ref.span, ref.path, output=ref.owner, parameter=ref.name)


@rule(
    "SEC005",
    "literal-secret-property",
    Severity.WARNING,
    "A password, token or key written as a literal property value.",
    message="property {property!r} of {resource!r} is a secret written in the template",
    doc="""\
A literal value for `admin_pass`, `password`, `MasterUserPassword`, a Barbican secret's
`payload` (any property whose name says password, secret, token or private key) is in version
control and identical on every stack (cfn-lint W2501). Pass it in as a `hidden` (`NoEcho`)
parameter, generate it with `OS::Heat::RandomString`, or, on AWS, use a dynamic reference
(`{{resolve:secretsmanager:...}}`). User data and key material have rules of their own.

Bad:
```yaml
  db:
    type: OS::Trove::Instance
    properties:
      users: [{name: app, password: s3cret, databases: [app]}]
```
Good: `password: {get_param: db_password}` with `db_password` hidden.""",
)
def literal_secret_property(context: RuleContext) -> None:
    user_data = {
        (name, keys[0])
        for name, resource in resources(context.template, *_user_data.USER_DATA)
        for keys in (_user_data.USER_DATA[resource.type],)
    }
    for site, nodes in expressions(context.template):
        if site.field != "properties":
            continue
        resource = context.template.resources[site.owner]
        extra = SECRET_PROPERTIES.get(resource.type, frozenset())
        for node, path in nodes:
            if not isinstance(node, e.MapExpr):
                continue
            if len(path) > 3 and (site.owner, path[3]) in user_data:
                continue  # secret-in-user-data's
            for key, item in node.items.items():
                value = text(item)
                if value is None or not (is_secret_name(key) or key in extra):
                    continue
                value = value.strip()
                if not value or DYNAMIC_REFERENCE.search(value) or key_material(value):
                    continue
                context.report(
                    item.span or node.key_span(key),
                    (*path, key),
                    property=key,
                    resource=site.owner,
                )


@rule(
    "SEC006",
    "embedded-key-material",
    Severity.ERROR,
    "A private key or a cloud access key written in the template or a file it reads.",
    message="{what} is written in the template{where}",
    doc="""\
A private key (`-----BEGIN ... PRIVATE KEY-----`), an AWS access key id (`AKIA...`), a GitHub,
Slack or Google API token in a template is a leaked credential: templates are shared, kept in
version control and shown by `template show`. Revoke the key, then pass it in as a `hidden`
parameter or keep it in Barbican / AWS Secrets Manager and reference it. Files read with
`get_file` travel with the template and are checked too. Documentation's sample keys
(`AKIAIOSFODNN7EXAMPLE`) are not reported.

Bad:
```yaml
  ssh_key:
    type: OS::Heat::Value
    properties:
      value: |
        -----BEGIN OPENSSH PRIVATE KEY-----
        ...
```
Good: `value: {get_param: ssh_private_key}` with the parameter `hidden: true`.""",
)
def embedded_key_material(context: RuleContext) -> None:
    seen: set[int] = set()
    for node, path in located(context.template):
        if id(node) in seen:
            continue  # a YAML alias repeats a node: one report at its place
        seen.add(id(node))
        if isinstance(node, e.Str):
            found = key_material(node.value)
            if found is not None:
                what, start, end = found
                span = sub_span(context.source, node, start, end)
                context.report(span, path, what=_capital(what), where="")
        elif isinstance(node, e.GetFile):
            content = _user_data.file_content(context, node)
            found = key_material(content) if content is not None else None
            if found is not None:
                where = f", in file {node.path!r} read by {node.spelling}"
                context.report(node.span, path, what=_capital(found[0]), where=where)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@rule(
    "SEC007",
    "secret-in-user-data",
    Severity.WARNING,
    "A password or a hidden parameter written into a server's user data.",
    message="{what} is written into {where}, which every process on the server can read "
    "from the metadata service",
    doc="""\
User data (`user_data` of OS::Nova::Server, `UserData` of AWS::EC2::Instance and launch
configurations/templates) is served without authentication by the metadata service
(169.254.169.254) to every process on the server, is shown by `openstack server show`, and is
stored unencrypted. A password written into it, literally or from a `hidden` parameter through
`str_replace`, `Fn::Sub` or `Fn::Join`, is readable by any user or compromised service on the
machine, for the server's whole life. The configs a user data names (`OS::Heat::CloudConfig`,
`SoftwareConfig`, `MultipartMime`) and files read with `get_file` are followed.

Deliver secrets through an authenticated channel instead: an `OS::Heat::SoftwareDeployment`
input (read by the agent with the server's own credentials), Barbican, or, on AWS, Secrets
Manager read at boot with the instance role.

Bad:
```yaml
      user_data:
        str_replace:
          template: mysql -u root -p$DB_PASS < schema.sql
          params: {$DB_PASS: {get_param: db_password}}
```
Good: an `OS::Heat::SoftwareDeployment` whose `input_values` carry `db_password`, with a
config that reads it as an input.""",
)
def secret_in_user_data(context: RuleContext) -> None:
    secrets = secret_parameters(context)
    for leak in _user_data.leaks(context, secrets):
        context.report(leak.span, leak.path, what=_capital(leak.what), where=leak.where)


@rule(
    "SEC008",
    "open-admin-port",
    Severity.WARNING,
    "A security group rule that opens an admin or database port to every address.",
    message="security group rule opens {ports} to {cidr}",
    settings={"ports": sorted(_exposure.ADMIN_PORTS)},
    doc="""\
SSH, RDP, VNC, WinRM, Docker's and etcd's APIs, and databases (MySQL, PostgreSQL, SQL Server,
Oracle, MongoDB, Redis, Elasticsearch, CouchDB, Memcached, Cassandra) reachable from the whole
internet are scanned within minutes and break in with the first weak password or unpatched
version. Restrict the rule's source to the addresses that need it (an office range, a bastion,
a VPN), or to another security group.

Checked: `rules` of OS::Neutron::SecurityGroup, OS::Neutron::SecurityGroupRule,
`SecurityGroupIngress` of AWS::EC2::SecurityGroup and AWS::EC2::SecurityGroupIngress. In
Neutron a rule **without** `remote_ip_prefix` (and no remote group) is open to every address,
and a SecurityGroup rule without `protocol` matches every protocol and port; port ranges that
cover an admin port count. A prefix from a parameter is judged by the parameter's value
(given, or its default). The `ports` setting replaces the list of ports
(`rules: {open-admin-port: {ports: [22, 3389]}}`).

Bad:
```yaml
  rules:
    - {protocol: tcp, port_range_min: 22, port_range_max: 22}   # no prefix: 0.0.0.0/0
```
Good:
```yaml
  rules:
    - {protocol: tcp, port_range_min: 22, port_range_max: 22, remote_ip_prefix: 203.0.113.0/24}
```
CloudFormation: `{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 203.0.113.0/24}`, not
`0.0.0.0/0`.""",
)
def open_admin_port(context: RuleContext) -> None:
    setting = context.setting("ports")
    ports = tuple(
        sorted({port for port in setting or () if isinstance(port, int)})
        if isinstance(setting, list | tuple)
        else sorted(_exposure.ADMIN_PORTS)
    )
    for found in _exposure.open_rules(context, ports):
        context.report(
            found.span,
            found.path,
            hint="allow only the addresses that need it (remote_ip_prefix / CidrIp), or a "
            "security group",
            ports=_exposure.describe(found),
            cidr=found.cidr,
        )


@rule(
    "SEC009",
    "port-without-security-groups",
    Severity.WARNING,
    "A Neutron port without security groups, which gets the project's default group.",
    message="port {resource!r} has no security_groups: Neutron applies the project's default "
    "group, whatever it allows today",
    dialects=("hot",),
    doc="""\
A port created without `security_groups` gets the project's `default` security group. What
that allows is decided outside the template, can be changed by anyone in the project, and
differs between clouds, so the template does not say what traffic reaches the server. Name the
groups the port needs; `security_groups: []` states on purpose that none apply, and
`port_security_enabled: false` turns filtering off (see `port-security-disabled`).

Bad:
```yaml
  port:
    type: OS::Neutron::Port
    properties: {network: private}
```
Good: `properties: {network: private, security_groups: [{get_resource: web_sg}]}`.""",
)
def port_without_security_groups(context: RuleContext) -> None:
    for name, resource in resources(context.template, "OS::Neutron::Port"):
        properties = resource.properties
        if properties is not None and not isinstance(properties, e.MapExpr):
            continue  # computed properties: cannot tell
        if has(properties, "security_groups"):
            continue
        security = get(properties, "port_security_enabled")
        if security is not None and literal(security) is not True:
            continue  # disabled, or decided by a function
        context.report(
            resource.name_span, (section(context.template, "resources"), name), resource=name
        )


@rule(
    "SEC010",
    "server-without-security-groups",
    Severity.WARNING,
    "A server whose network ports get only the project's default security group.",
    message="{type} {resource!r} names no security groups: {what}, whatever it allows today",
    doc="""\
A server that lets Nova create its ports (`networks` entries without `port`) and gives no
`security_groups` gets the project's `default` group; an EC2 instance without `SecurityGroups`
or `SecurityGroupIds` gets the VPC's default group. What that allows is decided outside the
template and can be changed by anyone in the project. Name the groups the server needs.
Servers whose ports are created in the template take their groups from those ports (see
`port-without-security-groups`).

Bad:
```yaml
  server:
    type: OS::Nova::Server
    properties:
      image: fedora
      flavor: m1.small
      networks: [{network: private}]
```
Good: add `security_groups: [{get_resource: web_sg}]`. CloudFormation:
`SecurityGroupIds: [!Ref WebSecurityGroup]`.""",
)
def server_without_security_groups(context: RuleContext) -> None:
    template = context.template
    for name, resource in resources(template, "OS::Nova::Server"):
        properties = resource.properties
        networks = get(properties, "networks")
        if not isinstance(networks, e.ListExpr) or has(properties, "security_groups") is not False:
            continue
        entries = networks.items
        if not entries or not all(isinstance(entry, e.MapExpr) for entry in entries):
            continue
        if all(has(entry, "port") for entry in entries):
            continue  # the template's ports carry the groups
        where = (section(template, "resources"), name)
        context.report(
            resource.name_span,
            where,
            type=resource.type,
            resource=name,
            what="the ports Nova creates get the project's default group",
        )
    for name, resource in resources(template, "AWS::EC2::Instance"):
        properties = resource.properties
        if properties is not None and not isinstance(properties, e.MapExpr):
            continue
        keys = ("SecurityGroups", "SecurityGroupIds", "NetworkInterfaces", "LaunchTemplate")
        if any(has(properties, key) for key in keys):
            continue
        where = (section(template, "resources"), name)
        context.report(
            resource.name_span,
            where,
            type=resource.type,
            resource=name,
            what="its interface gets the default security group (the VPC's; the project's on Heat)",
        )


@rule(
    "SEC011",
    "port-security-disabled",
    Severity.INFO,
    "A network or port with port security turned off.",
    message="{type} {resource!r} turns port security off: no security group filters its "
    "traffic and any source address is accepted",
    dialects=("hot",),
    doc="""\
`port_security_enabled: false` removes every security group from the port (or from every port
of the network) and turns off Neutron's anti-spoofing: the server receives all traffic and may
send with any address. Network appliances (routers, firewalls, NFV functions) need that; a
plain server does not. Keep it for the ports that must forward traffic, and say why in a
comment or a description.

Bad: `port_security_enabled: false` on an ordinary web server's port.
Good: security groups that allow what the server serves, and `allowed_address_pairs` for a
virtual IP instead of turning port security off.""",
)
def port_security_disabled(context: RuleContext) -> None:
    template = context.template
    for name, resource in resources(template, "OS::Neutron::Port", "OS::Neutron::Net"):
        flag = get(resource.properties, "port_security_enabled")
        if flag is not None and literal(flag) is False:
            span = key_span(resource.properties, "port_security_enabled") or resource.name_span
            where = resource_path(template, name, "port_security_enabled")
            context.report(span, where, type=resource.type, resource=name)


@rule(
    "SEC012",
    "public-object-storage",
    Severity.WARNING,
    "An object-storage container or bucket that anyone may read or write.",
    message="{type} {resource!r} is open to {who}: {key} is {value!r}",
    doc="""\
A Swift container whose `X-Container-Read` ACL holds `.r:*` is readable by anyone on the
internet without credentials (`.rlistings` also lets them list it); `X-Container-Write: "*:*"`
lets every user of every project write into it. An S3 bucket with the canned ACL `PublicRead`,
`PublicReadWrite` or `AuthenticatedRead` is the same on AWS. Data put in "just for the
deployment" stays public. Keep containers private and hand out temporary URLs (Swift
`X-Account-Meta-Temp-Url-Key`, S3 presigned URLs); if a public website is really meant,
suppress the finding there.

Bad: `X-Container-Read: ".r:*"`. Good: no read ACL, or `X-Container-Read: "project-id:*"`.""",
)
def public_object_storage(context: RuleContext) -> None:
    for found in _exposure.public_storage(context):
        context.report(
            found.span,
            found.path,
            type=found.type,
            resource=found.resource,
            who=found.who,
            key=found.key,
            value=found.value,
        )


RULES: tuple[LintRule, ...] = (
    secret_parameter_not_hidden,
    secret_parameter_default,
    hidden_parameter_allowed_values,
    secret_in_output,
    literal_secret_property,
    embedded_key_material,
    secret_in_user_data,
    open_admin_port,
    port_without_security_groups,
    server_without_security_groups,
    port_security_disabled,
    public_object_storage,
)
