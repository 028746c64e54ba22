//! The desktop's side of the tray, over the test session's D-Bus: what a
//! panel does (a StatusNotifierWatcher that items register with; it opens
//! an item's menu through com.canonical.dbusmenu and clicks its entries),
//! and a notification service that keeps what it is asked to show.

use crate::{wait_until, TIMEOUT};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zbus::blocking::Connection;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

const WATCHER: &str = "org.kde.StatusNotifierWatcher";
const ITEM: &str = "org.kde.StatusNotifierItem";
const MENU: &str = "com.canonical.dbusmenu";
const NOTIFICATIONS: &str = "org.freedesktop.Notifications";

#[derive(Default)]
struct Registry {
    items: Vec<String>,
    notifications: Vec<Notification>,
}

/// A notification as an app asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub app: String,
    pub summary: String,
    pub body: String,
}

struct Watcher(Arc<Mutex<Registry>>);

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        // An item names its bus name, or only its object path (then the
        // sender is the bus name).
        let name = if service.starts_with('/') {
            header.sender().map(ToString::to_string).unwrap_or_default()
        } else {
            service.to_owned()
        };
        if let Ok(mut registry) = self.0.lock() {
            registry.items.push(name);
        }
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.0.lock().map(|r| r.items.clone()).unwrap_or_default()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

struct Notifications(Arc<Mutex<Registry>>);

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        _replaces_id: u32,
        _app_icon: &str,
        summary: &str,
        body: &str,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut registry = self.0.lock().expect("the registry");
        registry.notifications.push(Notification {
            app: app_name.to_owned(),
            summary: summary.to_owned(),
            body: body.to_owned(),
        });
        u32::try_from(registry.notifications.len()).unwrap_or(u32::MAX)
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".to_owned()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "watchword-e2e".into(),
            "watchword".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// A panel with a tray, and a notification service, on the session bus.
pub struct TrayHost {
    connection: Connection,
    registry: Arc<Mutex<Registry>>,
}

impl std::fmt::Debug for TrayHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrayHost")
    }
}

/// One entry of a tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub id: i32,
    /// The label as written (an access key's underscore included).
    pub label: String,
    pub enabled: bool,
    pub separator: bool,
}

type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

impl TrayHost {
    /// Takes the watcher's and the notification service's names. Start it
    /// before the app, as a desktop's panel is.
    pub fn start() -> Self {
        let registry = Arc::new(Mutex::new(Registry::default()));
        let connection = zbus::blocking::connection::Builder::session()
            .and_then(|b| b.serve_at("/StatusNotifierWatcher", Watcher(Arc::clone(&registry))))
            .and_then(|b| {
                b.serve_at(
                    "/org/freedesktop/Notifications",
                    Notifications(Arc::clone(&registry)),
                )
            })
            .and_then(|b| b.name(WATCHER))
            .and_then(|b| b.name(NOTIFICATIONS))
            .and_then(|b| b.build())
            .unwrap_or_else(|e| panic!("the test's tray host on the session bus: {e}"));
        Self {
            connection,
            registry,
        }
    }

    /// The bus name of the item registered last that is still on the bus
    /// (a watcher forgets items whose app has gone), once there is one.
    pub fn wait_item(&self) -> String {
        let bus = zbus::blocking::fdo::DBusProxy::new(&self.connection)
            .unwrap_or_else(|e| panic!("the bus: {e}"));
        wait_until("a tray item to register", TIMEOUT, || {
            let items = self
                .registry
                .lock()
                .map(|r| r.items.clone())
                .unwrap_or_default();
            items
                .iter()
                .rev()
                .find(|name| {
                    zbus::names::BusName::try_from(name.as_str())
                        .ok()
                        .and_then(|bus_name| bus.name_has_owner(bus_name).ok())
                        .unwrap_or(false)
                })
                .cloned()
                .ok_or_else(|| format!("none on the bus of {items:?}"))
        })
    }

    /// The notifications asked for so far.
    pub fn notifications(&self) -> Vec<Notification> {
        self.registry
            .lock()
            .map(|r| r.notifications.clone())
            .unwrap_or_default()
    }

    /// Waits for a notification whose summary or body contains `text`.
    pub fn wait_notification(&self, text: &str) -> Notification {
        wait_until(&format!("a notification saying {text:?}"), TIMEOUT, || {
            let all = self.notifications();
            all.iter()
                .find(|n| n.summary.contains(text) || n.body.contains(text))
                .cloned()
                .ok_or_else(|| format!("{all:?}"))
        })
    }

    fn menu_path(&self, item: &str) -> Result<OwnedObjectPath, String> {
        let proxy = zbus::blocking::Proxy::new(&self.connection, item, "/StatusNotifierItem", ITEM)
            .map_err(|e| e.to_string())?;
        proxy.get_property("Menu").map_err(|e| e.to_string())
    }

    /// The item's tooltip text (its description), as a panel shows it.
    pub fn tool_tip(&self, item: &str) -> Result<String, String> {
        let proxy = zbus::blocking::Proxy::new(&self.connection, item, "/StatusNotifierItem", ITEM)
            .map_err(|e| e.to_string())?;
        type ToolTip = (String, Vec<(i32, i32, Vec<u8>)>, String, String);
        let (_, _, _, description): ToolTip =
            proxy.get_property("ToolTip").map_err(|e| e.to_string())?;
        Ok(description)
    }

    /// Opens the item's menu as a panel does (AboutToShow, then the
    /// layout) and lists its top level.
    pub fn try_menu(&self, item: &str) -> Result<Vec<MenuEntry>, String> {
        let path = self.menu_path(item)?;
        let proxy = zbus::blocking::Proxy::new(&self.connection, item, path.as_str(), MENU)
            .map_err(|e| e.to_string())?;
        let _: bool = proxy
            .call("AboutToShow", &(0i32,))
            .map_err(|e| format!("AboutToShow: {e}"))?;
        let (_revision, (_, _, children)): (u32, Layout) = proxy
            .call("GetLayout", &(0i32, 1i32, Vec::<String>::new()))
            .map_err(|e| format!("GetLayout: {e}"))?;
        children
            .into_iter()
            .map(|child| {
                let (id, properties, _): Layout =
                    child.try_into().map_err(|e| format!("an entry: {e}"))?;
                let text = |key: &str| -> Option<String> {
                    properties
                        .get(key)
                        .and_then(|v| String::try_from(v.clone()).ok())
                };
                Ok(MenuEntry {
                    id,
                    label: text("label").unwrap_or_default(),
                    enabled: properties
                        .get("enabled")
                        .and_then(|v| bool::try_from(v.clone()).ok())
                        .unwrap_or(true),
                    separator: text("type").as_deref() == Some("separator"),
                })
            })
            .collect()
    }

    /// The labels of the item's menu (separators as "---"), once `check`
    /// accepts them.
    pub fn wait_menu(
        &self,
        item: &str,
        what: &str,
        mut check: impl FnMut(&[String]) -> bool,
    ) -> Vec<MenuEntry> {
        wait_until(what, TIMEOUT, || {
            let menu = self.try_menu(item)?;
            let labels = labels(&menu);
            if check(&labels) {
                Ok(menu)
            } else {
                Err(format!("{labels:?}"))
            }
        })
    }

    /// Clicks the menu entry labelled `label` (opened afresh).
    pub fn click(&self, item: &str, label: &str) {
        let menu = self
            .try_menu(item)
            .unwrap_or_else(|e| panic!("the tray menu: {e}"));
        let entry = menu
            .iter()
            .find(|e| e.label == label)
            .unwrap_or_else(|| panic!("no {label:?} in the tray menu: {:?}", labels(&menu)));
        let path = self.menu_path(item).expect("the menu's path");
        let proxy = zbus::blocking::Proxy::new(&self.connection, item, path.as_str(), MENU)
            .expect("the menu");
        let clicked: zbus::Result<()> =
            proxy.call("Event", &(entry.id, "clicked", Value::from(0i32), 0u32));
        match clicked {
            Ok(()) => {}
            // "Quit" may end the app before its answer leaves.
            Err(zbus::Error::MethodError(name, _, _))
                if label == "Quit" && name.as_str() == "org.freedesktop.DBus.Error.NoReply" => {}
            Err(e) => panic!("clicking {label:?}: {e}"),
        }
    }
}

/// The labels of `menu`, separators as "---".
pub fn labels(menu: &[MenuEntry]) -> Vec<String> {
    menu.iter()
        .map(|e| {
            if e.separator {
                "---".to_owned()
            } else {
                e.label.clone()
            }
        })
        .collect()
}
